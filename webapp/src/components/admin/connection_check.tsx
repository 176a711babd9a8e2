import {useEffect, useState} from 'react';
import {useIntl} from 'react-intl';

import type {PluginStatusClient} from '../../client';
import {messages} from '../../messages';
import type {PluginStatus} from '../../plugin_status';

// refreshEvery is how often the check asks again while the System Console shows it: an admin
// fixing Buildbot's side sees it answer without reloading.
const refreshEvery = 5000;

interface Props {
    read: PluginStatusClient;
}

type Tone = 'good' | 'bad' | 'neutral';

const colors: Record<Tone, string> = {
    good: 'var(--online-indicator, #06d6a0)',
    bad: 'var(--error-text, #d24b4e)',
    neutral: 'rgba(var(--center-channel-color-rgb, 63, 67, 80), 0.64)',
};

function Line({tone, children}: {tone: Tone; children: React.ReactNode}) {
    return (
        <li style={{display: 'flex', gap: 8, alignItems: 'baseline', margin: '2px 0'}}>
            <span aria-hidden='true' style={{color: colors[tone]}}>{tone === 'good' ? '●' : tone === 'bad' ? '▲' : '○'}</span>
            <span>{children}</span>
        </li>
    );
}

// ConnectionCheck is the check beside the plugin's settings in the System Console: whether Buildbot
// answered the saved settings, with its version and how many builders; what is wrong with the
// settings, in the words /build uses; and whether the plugin follows Buildbot's events. It asks
// the status route again every few seconds, so a save shows within them.
export function ConnectionCheck({read}: Props) {
    const intl = useIntl();
    const [status, setStatus] = useState<PluginStatus | null>(null);
    const [failed, setFailed] = useState(false);

    useEffect(() => {
        let live = true;
        const check = () => read().then((s) => {
            if (live) {
                setStatus(s);
                setFailed(false);
            }
        }, () => live && setFailed(true));
        check();
        const timer = window.setInterval(check, refreshEvery);
        return () => {
            live = false;
            window.clearInterval(timer);
        };
    }, [read]);

    if (!status) {
        return <p role='status'>{intl.formatMessage(failed ? messages.checkFailed : messages.checking)}</p>;
    }
    const bb = status.buildbot;
    const ev = status.events;
    const active = bb ? bb.builders.filter((b) => b.active).length : 0;
    return (
        <section aria-label={intl.formatMessage(messages.checkLabel)} aria-live='polite' style={{color: 'rgb(var(--center-channel-color-rgb, 63, 67, 80))'}}>
            <ul style={{listStyle: 'none', margin: 0, padding: 0}}>
                {status.problems.map((p) => (
                    <Line key={p.setting} tone='bad'>
                        <strong>{p.setting}</strong>{': '}{p.message}
                    </Line>
                ))}
                {!status.configured && status.problems.length === 0 && <Line tone='bad'>{intl.formatMessage(messages.checkNotSetUp)}</Line>}
                {bb && bb.reachable && (
                    <Line tone='good'>
                        {intl.formatMessage(messages.checkAnswered, {version: bb.version ?? '?', builders: bb.builders.length, active})}
                    </Line>
                )}
                {bb && !bb.reachable && <Line tone='bad'>{intl.formatMessage(messages.checkUnreachable, {error: bb.error ?? ''})}</Line>}
                {ev && ev.enabled && ev.connected && (
                    <Line tone='good'>
                        {intl.formatMessage(messages.checkEventsOn, {since: intl.formatTime(ev.since ?? Date.now())})}
                    </Line>
                )}
                {ev && ev.enabled && !ev.connected && (
                    <Line tone='bad'>{intl.formatMessage(messages.checkEventsDown, {error: ev.error ?? intl.formatMessage(messages.checkEventsNoReason)})}</Line>
                )}
                {ev && !ev.enabled && <Line tone='neutral'>{intl.formatMessage(messages.checkEventsOff)}</Line>}
            </ul>
            <p style={{margin: '4px 0 0', color: colors.neutral, fontSize: 12}}>{intl.formatMessage(messages.checkSaved)}</p>
        </section>
    );
}
