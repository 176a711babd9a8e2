// The part of Mattermost's plugin registry this plugin uses. The webapp passes the real registry
// to initialize(); typing only what we call keeps the contract visible.
import type {ComponentType} from 'react';

export interface PluginRegistry {
    registerPostTypeComponent(type: string, component: ComponentType<never>): string;
    registerWebSocketEventHandler(event: string, handler: (message: {data: unknown}) => void): void;
    registerReducer(reducer: (state: unknown, action: {type: string}) => unknown): void;
    registerTranslations(getTranslationsForLocale: (locale: string) => Record<string, string>): void;
    // Mattermost 9.x and later; older servers have no plugin pages in their settings.
    registerUserSettings?(setting: UserSettingsPage): void;
    // Draws a plugin setting of type custom in the System Console.
    registerAdminConsoleCustomSetting?(key: string, component: ComponentType<never>, options?: {showTitle?: boolean}): void;
    // Draws a component under every message that is not a plugin's post type, with the post's id.
    registerPostMessageAttachmentComponent?(component: ComponentType<never>): string;
    // Runs when the webapp's WebSocket is back after being down; what it missed is not replayed.
    registerReconnectHandler?(handler: () => void): void;
}

// PluginStore is the webapp's redux store as initialize() gets it.
export interface PluginStore {
    getState(): unknown;
    subscribe?(listener: () => void): () => void;
}

// UserSettingsPage is the plugin's page in Mattermost's settings, here with sections the plugin
// draws itself.
export interface UserSettingsPage {
    id: string;
    uiName: string;
    icon?: string;
    sections: Array<{title: string; component: ComponentType}>;
}

export interface PluginClass {
    initialize(registry: PluginRegistry, store: PluginStore): void | Promise<void>;
}
