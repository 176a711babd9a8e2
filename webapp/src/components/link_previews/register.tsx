import {previewsClient} from '../../client';
import {PREVIEW_EVENT, parsePreviewEvent, postSource, previewSignals} from '../../previews';
import type {PluginRegistry, PluginStore} from '../../types/registry';
import type {Theme} from '../../types/theme';

import {LinkPreviews} from './link_previews';

// registerPreviews draws the live cards of pasted Buildbot links under any message, whatever its
// type: Mattermost gives such a component the post's id, which it reads from the store. An embed
// component would not do: it gets only the embed (no post, no channel), and only the message's
// first link's. The plugin's WebSocket event and a reconnect tell the cards to read again: it
// returns what to do on a reconnect (null when it drew nothing), as Mattermost keeps a single
// reconnect handler per plugin.
export function registerPreviews(registry: PluginRegistry, store: PluginStore, siteURL: string): (() => void) | null {
    if (!registry.registerPostMessageAttachmentComponent) {
        return null;
    }
    const signals = previewSignals();
    registry.registerWebSocketEventHandler(PREVIEW_EVENT, (message) => {
        const event = parsePreviewEvent(message.data);
        if (event) {
            signals.emit(event);
        }
    });
    const posts = postSource(store);
    const read = previewsClient(siteURL);
    const Previews = ({postId, theme, onHeightChange}: {postId: string; theme: Theme; onHeightChange?: (height: number) => void}) => (
        <LinkPreviews
            postId={postId}
            theme={theme}
            posts={posts}
            read={read}
            signals={signals}
            onHeightChange={onHeightChange}
        />
    );
    registry.registerPostMessageAttachmentComponent(Previews);
    return () => signals.emit('reconnect');
}
