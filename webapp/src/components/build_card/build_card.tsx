import type {Post} from '@mattermost/types/posts';

import {parseBuildStatus} from '../../build_status';
import type {Theme} from '../../types/theme';

import {BuildRow, stateLabel} from './build_row';
import type {PostAction} from './card_buttons';
import {CardButtons} from './card_buttons';
import {fade, stateColor} from './colors';
import {shortRevision} from './format';

interface Props {
    post: Post;
    theme: Theme;
    onAction: (postId: string, actionId: 'rebuild' | 'stop') => Promise<void>;
}

// BuildCard draws a build's status post. Props it cannot read fall back to the post's message,
// which the server writes to read well on its own.
export function BuildCard({post, theme, onAction}: Props) {
    const status = parseBuildStatus(post.props);
    if (!status) {
        return <p style={{whiteSpace: 'pre-wrap', margin: 0}}>{post.message}</p>;
    }
    const action: PostAction = (actionId) => onAction(post.id, actionId);
    const color = stateColor(status.state, theme);
    return (
        <section
            aria-label={`Build of ${status.repo}`}
            style={{border: `1px solid ${fade(theme.centerChannelColor, 0.16)}`, borderLeft: `4px solid ${color}`, borderRadius: 4, padding: '8px 12px', color: theme.centerChannelColor}}
        >
            <header style={{display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'baseline'}}>
                <strong>{status.repo}</strong>
                {status.branch && <code>{status.branch}</code>}
                {status.revision && <code title={status.revision}>{shortRevision(status.revision)}</code>}
                <span style={{color}}>{status.nothingStarted ? 'Nothing built' : stateLabel(status.state)}</span>
                <span style={{color: fade(theme.centerChannelColor, 0.64)}}>{`requested by @${status.requestedBy}`}</span>
            </header>
            {status.unreachableSince !== undefined && (
                <p role='status' style={{color: theme.awayIndicator, margin: '4px 0'}}>
                    {`Buildbot unreachable since ${new Date(status.unreachableSince).toLocaleTimeString()}, retrying`}
                </p>
            )}
            {status.rows.length === 0 && status.changeId !== undefined && !status.nothingStarted && (
                <p style={{margin: '4px 0'}}>{`Waiting for Buildbot's schedulers (change ${status.changeId})`}</p>
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
            <CardButtons
                status={status}
                theme={theme}
                onAction={action}
            />
        </section>
    );
}
