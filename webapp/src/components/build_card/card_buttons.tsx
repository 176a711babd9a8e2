import {useState} from 'react';
import {useIntl} from 'react-intl';

import type {BuildStatus} from '../../build_status';
import {isRunning} from '../../build_status';
import {messages} from '../../messages';
import type {Theme} from '../../types/theme';

import {fade} from './colors';
import {plainText} from './format';

// PostAction runs one of the post's buttons through Mattermost, as mobile does.
export type ActionId = 'rebuild' | 'rebuildwith' | 'stop' | 'notify';
export type PostAction = (actionId: ActionId) => Promise<void>;

interface Props {
    status: BuildStatus;
    theme: Theme;
    onAction: PostAction;
    viewerIsAdmin: boolean;
    // waiting lists who asked for a direct message at the build's end; viewerWaits says the
    // signed-in user is one.
    waiting: string[];
    viewerWaits: boolean;
}

// CardButtons shows Rebuild, Rebuild with… (the build's form, which Mattermost opens), Notify me
// and Stop when they apply; a click disables them until the server answers, and a refusal shows
// the server's words, as plain text.
export function CardButtons({status, theme, onAction, viewerIsAdmin, waiting, viewerWaits}: Props) {
    const intl = useIntl();
    const [pending, setPending] = useState<string | null>(null);
    const [error, setError] = useState('');
    // A build the plugin let go, because it now uses another Buildbot or followed this one as long
    // as it follows any, cannot be rebuilt from here; its unfinished rows say so, and offer no Stop.
    // A builder no force scheduler serves is not chat's to start: no Rebuild for anyone, and only
    // system admins may stop its builds (the server refuses the rest; mobile shows its refusal).
    const canRebuild = !status.unfollowed && !status.expired && status.rows.some((r) => r.buildId && !isRunning(r.state)) &&
        !status.rows.some((r) => r.unserved);
    const running = status.rows.some((r) => isRunning(r.state));
    const canStop = running && (viewerIsAdmin || !status.rows.some((r) => r.unserved && isRunning(r.state)));

    const click = async (actionId: ActionId) => {
        setPending(actionId);
        setError('');
        try {
            await onAction(actionId);
        } catch (err) {
            setError(plainText(err instanceof Error ? err.message : String(err)));
        } finally {
            setPending(null);
        }
    };
    const style = {
        background: theme.buttonBg, color: theme.buttonColor, border: 'none', borderRadius: 4, padding: '4px 12px', cursor: 'pointer', fontWeight: 600,
    };
    return (
        <div style={{display: 'flex', gap: 8, alignItems: 'center', marginTop: 8, flexWrap: 'wrap'}}>
            {canRebuild && (
                <button
                    type='button'
                    style={style}
                    disabled={pending !== null}
                    onClick={() => click('rebuild')}
                >
                    {intl.formatMessage(pending === 'rebuild' ? messages.rebuilding : messages.rebuild)}
                </button>
            )}
            {canRebuild && (
                <button
                    type='button'
                    style={style}
                    disabled={pending !== null}
                    onClick={() => click('rebuildwith')}
                >
                    {intl.formatMessage(messages.rebuildWith)}
                </button>
            )}
            {running && (
                <button
                    type='button'
                    aria-pressed={viewerWaits}
                    style={viewerWaits ? style : {...style, background: 'transparent', color: theme.buttonBg, boxShadow: `inset 0 0 0 1px ${theme.buttonBg}`}}
                    disabled={pending !== null}
                    onClick={() => click('notify')}
                >
                    {intl.formatMessage(viewerWaits ? messages.notifying : messages.notifyMe)}
                </button>
            )}
            {running && waiting.length > 0 && (
                <span style={{color: fade(theme.centerChannelColor, 0.64)}}>{intl.formatMessage(messages.waitingCount, {count: waiting.length})}</span>
            )}
            {canStop && (
                <button
                    type='button'
                    style={{...style, background: theme.errorTextColor}}
                    disabled={pending !== null}
                    onClick={() => click('stop')}
                >
                    {intl.formatMessage(pending === 'stop' ? messages.stopping : messages.stop)}
                </button>
            )}
            <a
                href={status.buildbotUrl}
                target='_blank'
                rel='noopener noreferrer'
                style={{color: theme.linkColor}}
            >
                {intl.formatMessage(messages.openInBuildbot)}
            </a>
            {error && <span role='alert' style={{color: theme.errorTextColor}}>{error}</span>}
        </div>
    );
}
