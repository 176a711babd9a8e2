import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {RedBuilder} from '../../panel/answers';
import {failingFor} from '../../wording';
import {shortRevision} from '../build_card/format';
import {useNow} from '../build_card/use_now';

import {colors} from './colors';
import {ExternalLink, itemStyle, lineStyle, listStyle, Note, Section} from './section';

// Red lists the builders whose last builds failed: since when and how often, the first failed
// build, and the change it first failed with. Buildbot's words are shown as text, never as markup.
export function Red({red}: {red: RedBuilder[]}) {
    const intl = useIntl();
    const now = useNow(red.length > 0) * 1000;
    return (
        <Section title={intl.formatMessage(messages.panelRedTitle)}>
            {red.length === 0 && <Note>{intl.formatMessage(messages.panelRedEmpty)}</Note>}
            <ul style={listStyle}>
                {red.map((r) => (
                    <RedEntry
                        key={`${r.builderId} ${r.branch}`}
                        red={r}
                        now={now}
                    />
                ))}
            </ul>
        </Section>
    );
}

function RedEntry({red, now}: {red: RedBuilder; now: number}) {
    const intl = useIntl();
    const bad = red.firstBad;
    const link = <ExternalLink key='first' href={red.url}>{`#${red.number}`}</ExternalLink>;
    return (
        <li
            aria-label={red.builder}
            style={itemStyle}
        >
            <div style={lineStyle}>
                {red.repo && <strong>{red.repo}</strong>}
                <span>{red.builder}</span>
                {red.branch && <code>{red.branch}</code>}
                {red.subscribed && <span style={{color: colors.secondary}}>{intl.formatMessage(messages.panelRedSubscribed)}</span>}
            </div>
            <div style={{color: colors.error}}>{failingFor(intl, red.since, now, red.failures)}</div>
            <div style={{...lineStyle, color: colors.secondary}}>
                <span>{intl.formatMessage(messages.panelRedFirstFailed, {link})}</span>
                {bad?.revision && (
                    <span>
                        {intl.formatMessage(messages.panelRedFirstBad, {revision: <code key='revision' title={bad.revision}>{shortRevision(bad.revision)}</code>})}
                    </span>
                )}
                {bad?.author && <span>{intl.formatMessage(messages.panelRedAuthor, {author: bad.author})}</span>}
            </div>
            {bad?.comment && <div style={{color: colors.secondary, whiteSpace: 'pre-wrap'}}>{bad.comment}</div>}
        </li>
    );
}
