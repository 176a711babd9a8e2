import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {MineBuild} from '../../panel/answers';

import {stateColor} from './colors';
import {itemStyle, lineStyle, listStyle, Note, PostLink, Section} from './section';

// Mine lists the viewer's own builds: state, repo, branch, builders and their status post.
export function Mine({mine}: {mine: MineBuild[]}) {
    const intl = useIntl();
    return (
        <Section title={intl.formatMessage(messages.panelMineTitle)}>
            {mine.length === 0 && <Note>{intl.formatMessage(messages.panelMineEmpty)}</Note>}
            <ul style={listStyle}>
                {mine.map((m, i) => (
                    <li
                        key={m.postUrl || i}
                        style={itemStyle}
                    >
                        <div style={lineStyle}>
                            <StateDot state={m.state}/>
                            <strong>{m.repo}</strong>
                            {m.branch && <code>{m.branch}</code>}
                            <span>{m.builders.map((b) => (b.number ? `${b.builder} #${b.number}` : b.builder)).join(', ')}</span>
                            {m.postUrl && <PostLink href={m.postUrl}/>}
                        </div>
                    </li>
                ))}
            </ul>
        </Section>
    );
}

// StateDot is a status post's state as a dot in its colour, named for screen readers.
function StateDot({state}: {state: MineBuild['state']}) {
    const intl = useIntl();
    return (
        <span
            role='img'
            aria-label={intl.formatMessage(messages[state])}
            style={{display: 'inline-block', flex: 'none', width: 10, height: 10, borderRadius: '50%', alignSelf: 'center', background: stateColor(state)}}
        />
    );
}
