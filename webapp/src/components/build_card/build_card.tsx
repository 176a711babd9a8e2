import type {Post} from '@mattermost/types/posts';
import {useIntl} from 'react-intl';

import type {BuildStatus} from '../../build_status';
import {parseBuildStatus, waitingOf} from '../../build_status';
import {messages} from '../../messages';
import type {Theme} from '../../types/theme';

import {BuildRow} from './build_row';
import type {ActionId, PostAction} from './card_buttons';
import {CardButtons} from './card_buttons';
import {CardStyles} from './card_styles';
import {Changes} from './changes';
import {fade, stateColor} from './colors';
import {Revision} from './revision';

interface Props {
    post: Post;
    theme: Theme;
    // botUserId is the plugin's bot, null until the server has named it.
    botUserId: string | null;
    onAction: (postId: string, actionId: ActionId) => Promise<void>;
    // viewerIsAdmin: the signed-in user is a system admin, who may stop what others may not.
    viewerIsAdmin?: boolean;
    // viewerId is the signed-in user, whose Notify me shows pressed once they asked.
    viewerId?: string | null;
    // preview is the status of a Buildbot link pasted in someone's message, read from the plugin's
    // route, which vouches for it: it is drawn instead of the post's props, with no buttons, as the
    // message is not the bot's to act on.
    preview?: BuildStatus;
}

// BuildCard draws a build's status post. Props it cannot read fall back to the post's message,
// which the server writes to read well on its own, and Mattermost's own buttons stay. So does a
// post the bot did not write: Mattermost keeps whatever props a user gives a post, and a card with
// our buttons on it would lend the plugin's hand to anyone who imitates one.
export function BuildCard({post, theme, botUserId, onAction, viewerIsAdmin = false, viewerId = null, preview}: Props) {
    const intl = useIntl();
    const status = preview ?? (botUserId !== null && post.user_id === botUserId ? parseBuildStatus(post.props) : null);
    if (!status) {
        return <p style={{whiteSpace: 'pre-wrap', margin: 0}}>{post.message}</p>;
    }
    const action: PostAction = (actionId) => onAction(post.id, actionId);
    const waiting = waitingOf(post.props);
    const color = stateColor(status.state, theme);
    const secondary = fade(theme.centerChannelColor, 0.64);
    return (
        <section
            aria-label={intl.formatMessage(messages.cardLabel, {repo: status.repo})}
            style={{border: `1px solid ${fade(theme.centerChannelColor, 0.16)}`, borderLeft: `4px solid ${color}`, borderRadius: 4, padding: '8px 12px', color: theme.centerChannelColor}}
        >
            <CardStyles postId={post.id}/>
            <header style={{display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'baseline'}}>
                <strong>{status.repo}</strong>
                {status.branch && <code>{status.branch}</code>}
                {status.revision && (
                    <Revision
                        revision={status.revision}
                        theme={theme}
                    />
                )}
                <span style={{color, fontWeight: 600}}>
                    {intl.formatMessage(status.nothingStarted ? messages.nothingBuilt : messages[status.state])}
                </span>
                {status.requestedBy && <span style={{color: secondary}}>{intl.formatMessage(messages.requestedBy, {username: status.requestedBy})}</span>}
            </header>
            {status.unreachableSince !== undefined && (
                <p role='status' style={{color: theme.awayIndicator, margin: '4px 0'}}>
                    {intl.formatMessage(messages.unreachable, {time: intl.formatTime(status.unreachableSince)})}
                </p>
            )}
            {status.unfollowed && (
                <p role='status' style={{color: secondary, margin: '4px 0'}}>{intl.formatMessage(messages.unfollowedNote)}</p>
            )}
            {status.expired && (
                <p role='status' style={{color: secondary, margin: '4px 0'}}>{intl.formatMessage(messages.expiredNote)}</p>
            )}
            {status.rows.length === 0 && status.changeId !== undefined && !status.nothingStarted && !status.unfollowed && !status.expired && (
                <p style={{margin: '4px 0'}}>{intl.formatMessage(messages.waitingForSchedulers, {change: status.changeId})}</p>
            )}
            {status.params && status.params.length > 0 && (
                <p style={{margin: '4px 0', color: secondary}}>
                    {intl.formatMessage(messages.params)}{' '}
                    {status.params.map((p, i) => (
                        <span key={p.name}>{i > 0 && ', '}<code>{`${p.name}=${p.value}`}</code></span>
                    ))}
                </p>
            )}
            <ul style={{margin: '4px 0', padding: 0}}>
                {status.rows.map((row) => (
                    <BuildRow
                        key={row.requestId}
                        row={row}
                        theme={theme}
                    />
                ))}
            </ul>
            {status.changes && status.changes.length > 0 && (
                <Changes
                    changes={status.changes}
                    mentions={status.mentions ?? []}
                    secondary={secondary}
                />
            )}
            {preview ? (
                <a
                    href={status.buildbotUrl}
                    target='_blank'
                    rel='noopener noreferrer'
                    style={{display: 'inline-block', marginTop: 8, color: theme.linkColor}}
                >
                    {intl.formatMessage(messages.openInBuildbot)}
                </a>
            ) : (
                <CardButtons
                    status={status}
                    theme={theme}
                    onAction={action}
                    viewerIsAdmin={viewerIsAdmin}
                    waiting={waiting}
                    viewerWaits={viewerId !== null && waiting.includes(viewerId)}
                />
            )}
        </section>
    );
}
