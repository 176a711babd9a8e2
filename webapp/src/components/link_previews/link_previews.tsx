import {useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore} from 'react';
import {useIntl} from 'react-intl';

import type {BuildStatus} from '../../build_status';
import {isRunning} from '../../build_status';
import {messages} from '../../messages';
import type {PostSource, PreviewSignals} from '../../previews';
import {previewLinksOf} from '../../previews';
import type {Theme} from '../../types/theme';
import {BuildCard} from '../build_card/build_card';

// BACKSTOP_MS is how long a running build's card goes without reading again when no event says
// to: the WebSocket may be down, or the plugin may not follow Buildbot's events.
export const BACKSTOP_MS = 30000;

interface Props {
    postId: string;
    theme: Theme;
    posts: PostSource;
    read: (postId: string, after?: number) => Promise<BuildStatus[]>;
    signals: PreviewSignals;
    // onHeightChange tells Mattermost the message grew, so it measures it again.
    onHeightChange?: (height: number) => void;
}

const noAction = () => Promise.resolve();

// LinkPreviews draws, under a message the server previewed, the live card of each Buildbot link it
// pastes, in place of the attachments the server gave it for other clients. It reads them when
// drawn, when the message changes, when an event for its channel names one of their builders, and
// now and then while a build runs; until it has a card for every link, the attachments stay.
export function LinkPreviews({postId, theme, posts, read, signals, onHeightChange}: Props) {
    const intl = useIntl();
    const post = useSyncExternalStore(posts.subscribe, () => posts.get(postId));
    const links = post ? previewLinksOf(post.props) : null;
    const linksKey = links?.join(' ') ?? '';
    const [statuses, setStatuses] = useState<BuildStatus[] | null>(null);
    const [readAt, setReadAt] = useState(0);
    // asked counts the reads asked for: a read that comes back after a later one was asked is old news.
    const asked = useRef({count: 0});
    const box = useRef<HTMLDivElement>(null);

    const readAgain = useCallback((after?: number) => {
        const reads = asked.current;
        const mine = ++reads.count;
        read(postId, after).then((got) => {
            if (mine === reads.count) {
                setStatuses(got);
                setReadAt(Date.now());
            }
        }, () => {
            // The cards keep what they showed; without any, the attachments show the state.
            if (mine === reads.count) {
                setReadAt(Date.now());
            }
        });
    }, [postId, read]);

    useEffect(() => {
        if (!linksKey) {
            return undefined;
        }
        const reads = asked.current;
        readAgain();
        // What the old links' reads bring is not for the new ones.
        return () => {
            reads.count++;
        };
    }, [linksKey, readAgain]);

    const channelId = post?.channel_id;
    useEffect(() => {
        if (!linksKey) {
            return undefined;
        }
        return signals.subscribe((signal) => {
            if (signal === 'reconnect') {
                readAgain();
                return;
            }
            const mine = statuses === null || statuses.some((s) => s.rows.some((r) => signal.builderIds.includes(r.builderId)));
            if (signal.channelId === channelId && mine) {
                readAgain(signal.at);
            }
        });
    }, [linksKey, channelId, signals, statuses, readAgain]);

    const running = statuses?.some((s) => isRunning(s.state)) ?? false;
    useEffect(() => {
        if (!running || !readAt) {
            return undefined;
        }
        const timer = window.setTimeout(() => readAgain(), BACKSTOP_MS);
        return () => window.clearTimeout(timer);
    }, [running, readAt, readAgain]);

    const shown = post && links && statuses && statuses.length === links.length ? statuses : null;
    useLayoutEffect(() => {
        if (shown && box.current) {
            onHeightChange?.(box.current.offsetHeight);
        }
    }, [shown, onHeightChange]);

    if (!post || !links || !shown) {
        return null;
    }
    return (
        <div
            ref={box}
            role='group'
            aria-label={intl.formatMessage(messages.previewsLabel)}
            style={{display: 'flex', flexDirection: 'column', gap: 6, marginTop: 6}}
        >
            {shown.map((status, i) => (
                <BuildCard
                    key={links[i]}
                    post={post}
                    theme={theme}
                    botUserId={null}
                    onAction={noAction}
                    preview={status}
                />
            ))}
        </div>
    );
}
