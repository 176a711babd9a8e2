import type {Post} from '@mattermost/types/posts';
import {useSyncExternalStore} from 'react';

import {POST_TYPE} from './build_status';
import {botUserStore} from './bot_user';
import {fetchBotUserId, postActionClient, siteURLOf} from './client';
import {BuildCard} from './components/build_card/build_card';
import {id} from './manifest';
import {translations} from './translations';
import {viewerIsSystemAdmin} from './viewer';
import type {PluginClass, PluginRegistry} from './types/registry';
import type {Theme} from './types/theme';

export class Plugin implements PluginClass {
    public initialize(registry: PluginRegistry, store: {getState(): unknown}): void {
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
                />
            );
        };
        registry.registerPostTypeComponent(POST_TYPE, BuildPost);
    }
}

window.registerPlugin(id, new Plugin());
