import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {PanelBuild} from '../../panel/answers';
import {queueLine} from '../../wording';
import {formatDuration} from '../build_card/format';

import {colors} from './colors';
import {OutcomeLine, useChange} from './outcome';
import {buttonStyle, ExternalLink, itemStyle, lineStyle, PostLink} from './section';

interface Props {
    build: PanelBuild;
    // now is the panel's ticking clock (epoch ms).
    now: number;
    onStop: (build: PanelBuild) => Promise<string>;
}

// BuildEntry is one running or waiting build: its builder and number (or its place in line), its
// step, how long it has run or waited, who started it on which branch, its links, and Stop when
// the viewer may stop it, with what the server said of the stop.
export function BuildEntry({build, now, onStop}: Props) {
    const intl = useIntl();
    const {run, pending, outcome} = useChange();
    const queued = build.state === 'queued';
    const label = queued ? intl.formatMessage(messages.panelQueuedLabel, {builder: build.builder}) :
        intl.formatMessage(messages.panelBuildLabel, {builder: build.builder, number: build.number});
    return (
        <li
            aria-label={label}
            style={itemStyle}
        >
            <div style={lineStyle}>
                <ExternalLink href={build.url}>{queued ? build.builder : `${build.builder} #${build.number}`}</ExternalLink>
                <span style={{color: colors.secondary}}>{queued ? intl.formatMessage(messages.panelQueued) : build.step}</span>
                <span
                    aria-label={intl.formatMessage(messages.duration)}
                    style={{color: colors.secondary, fontVariantNumeric: 'tabular-nums'}}
                >
                    {formatDuration((now - build.startedAt) / 1000)}
                </span>
                {build.mayStop && (
                    <button
                        type='button'
                        disabled={pending !== null}
                        onClick={() => run('stop', () => onStop(build))}
                        style={{...buttonStyle, marginLeft: 'auto'}}
                    >
                        {intl.formatMessage(pending ? messages.stopping : messages.stop)}
                    </button>
                )}
            </div>
            {queued && <div style={{color: colors.text}}>{queueLine(intl, build, now)}</div>}
            <div style={{...lineStyle, color: colors.secondary}}>
                {build.startedBy && <span>{intl.formatMessage(messages.panelStartedBy, {name: build.startedBy})}</span>}
                {build.branch && <code>{build.branch}</code>}
                {build.postUrl && <PostLink href={build.postUrl}/>}
            </div>
            <OutcomeLine outcome={outcome}/>
        </li>
    );
}
