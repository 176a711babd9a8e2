import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {PanelBuild, RepoBuilds} from '../../panel/answers';
import {useNow} from '../build_card/use_now';

import {BuildEntry} from './build_entry';
import {listStyle, Note, Section} from './section';

interface Props {
    repos: RepoBuilds[];
    onStop: (build: PanelBuild) => Promise<string>;
}

// Running lists what runs on Buildbot and what waits for a worker, by repo, running first. Its
// clock ticks here, not in the panel, so the rest of the panel is not drawn again every second.
export function Running({repos, onStop}: Props) {
    const intl = useIntl();
    const shown = repos.filter((r) => r.builds.length > 0);
    const now = useNow(shown.length > 0) * 1000;
    return (
        <Section title={intl.formatMessage(messages.panelRunningTitle)}>
            {shown.length === 0 && <Note>{intl.formatMessage(messages.panelRunningEmpty)}</Note>}
            {shown.map((r) => (
                <div key={r.repo}>
                    <h4 style={{margin: '8px 0 4px', fontSize: 13, fontWeight: 600}}>
                        {r.repo || intl.formatMessage(messages.panelOtherBuilders)}
                    </h4>
                    <ul style={listStyle}>
                        {r.builds.map((b) => (
                            <BuildEntry
                                key={b.state === 'building' ? `b${b.buildId}` : `r${b.requestId}`}
                                build={b}
                                now={now}
                                onStop={onStop}
                            />
                        ))}
                    </ul>
                </div>
            ))}
        </Section>
    );
}
