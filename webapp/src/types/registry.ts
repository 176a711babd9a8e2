// The part of Mattermost's plugin registry this plugin uses. The webapp passes the real registry
// to initialize(); typing only what we call keeps the contract visible.
import type {ComponentType} from 'react';

export interface PluginRegistry {
    registerPostTypeComponent(type: string, component: ComponentType<never>): string;
    registerWebSocketEventHandler(event: string, handler: (message: {data: unknown}) => void): void;
    registerReducer(reducer: (state: unknown, action: {type: string}) => unknown): void;
    registerTranslations(getTranslationsForLocale: (locale: string) => Record<string, string>): void;
}

export interface PluginClass {
    initialize(registry: PluginRegistry, store: {getState(): unknown}): void | Promise<void>;
}
