import type {Post} from '@mattermost/types/posts';

import {POST_TYPE} from './build_status';
import {postActionClient, siteURLOf} from './client';
import {BuildCard} from './components/build_card/build_card';
import {id} from './manifest';
import {translations} from './translations';
import type {PluginClass, PluginRegistry} from './types/registry';
import type {Theme} from './types/theme';

export class Plugin implements PluginClass {
    public initialize(registry: PluginRegistry, store: {getState(): unknown}): void {
        registry.registerTranslations((locale) => translations[locale] ?? translations.en ?? {});
        const doPostAction = postActionClient(siteURLOf(store.getState()));
        const BuildPost = ({post, theme}: {post: Post; theme: Theme}) => (
            <BuildCard
                post={post}
                theme={theme}
                onAction={doPostAction}
            />
        );
        registry.registerPostTypeComponent(POST_TYPE, BuildPost);
    }
}

window.registerPlugin(id, new Plugin());
