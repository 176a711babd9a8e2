import type {Post} from '@mattermost/types/posts';
import {useSyncExternalStore} from 'react';

import {POST_TYPE} from './build_status';
import {botUserStore} from './bot_user';
import {fetchBotUserId, meSettingsClient, pluginStatusClient, postActionClient, siteURLOf} from './client';
import {ConnectionCheck} from './components/admin/connection_check';
import {BuildCard} from './components/build_card/build_card';
import {registerPreviews} from './components/link_previews/register';
import {registerPanel} from './components/panel/register';
import {DirectMessages} from './components/user_settings/direct_messages';
import {id} from './manifest';
import {messages} from './messages';
import {textOf, translations} from './translations';
import {viewerId, viewerIsSystemAdmin, viewerLocale} from './viewer';
import type {PluginClass, PluginRegistry, PluginStore} from './types/registry';
import type {Theme} from './types/theme';

// CONNECTION_CHECK_KEY is the custom setting in plugin.json that draws the connection check.
const CONNECTION_CHECK_KEY = 'ConnectionCheck';

export class Plugin implements PluginClass {
    public initialize(registry: PluginRegistry, store: PluginStore): void {
        registry.registerTranslations((locale) => translations[locale] ?? translations.en ?? {});
        const siteURL = siteURLOf(store.getState());
        const doPostAction = postActionClient(siteURL);
        const botUser = botUserStore(fetchBotUserId(siteURL));
        const BuildPost = ({post, theme}: {post: Post; theme: Theme}) => {
            const botUserId = useSyncExternalStore(botUser.subscribe, botUser.getId);
            return (
                <BuildCard
                    post={post}
                    theme={theme}
                    botUserId={botUserId}
                    onAction={doPostAction}
                    viewerIsAdmin={viewerIsSystemAdmin(store.getState())}
                    viewerId={viewerId(store.getState())}
                />
            );
        };
        registry.registerPostTypeComponent(POST_TYPE, BuildPost);
        const previewsReconnected = registerPreviews(registry, store, siteURL);
        const panelReconnected = registerPanel(registry, store, siteURL);
        // Mattermost keeps one reconnect handler per plugin: this one tells every part.
        registry.registerReconnectHandler?.(() => {
            previewsReconnected?.();
            panelReconnected();
        });

        const meClient = meSettingsClient(siteURL);
        const DirectMessagesSection = () => <DirectMessages client={meClient}/>;
        // The page's title is plain text, worded once in the viewer's language at start.
        const title = textOf(viewerLocale(store.getState()), messages.meSection);
        registry.registerUserSettings?.({id, uiName: 'Buildbot', sections: [{title, component: DirectMessagesSection}]});

        const readStatus = pluginStatusClient(siteURL);
        const ConnectionCheckSetting = () => <ConnectionCheck read={readStatus}/>;
        registry.registerAdminConsoleCustomSetting?.(CONNECTION_CHECK_KEY, ConnectionCheckSetting, {showTitle: true});
    }
}

window.registerPlugin(id, new Plugin());
