// The part of Mattermost's plugin registry this plugin uses. The webapp passes the real registry
// to initialize(); typing only what we call keeps the contract visible.
import type {ComponentType, ReactNode} from 'react';

export interface PluginRegistry {
    registerPostTypeComponent(type: string, component: ComponentType<never>): string;
    registerWebSocketEventHandler(event: string, handler: (message: {data: unknown}) => void): void;
    // The reducer's state lives at state['plugins-<plugin id>'] of the webapp's store.
    registerReducer<S>(reducer: (state: S | undefined, action: {type: string}) => S): void;
    registerTranslations(getTranslationsForLocale: (locale: string) => Record<string, string>): void;
    // Mattermost 9.x and later; older servers have no plugin pages in their settings.
    registerUserSettings?(setting: UserSettingsPage): void;
    // Draws a plugin setting of type custom in the System Console.
    registerAdminConsoleCustomSetting?(key: string, component: ComponentType<never>, options?: {showTitle?: boolean}): void;
    // Draws a component under every message that is not a plugin's post type, with the post's id.
    registerPostMessageAttachmentComponent?(component: ComponentType<never>): string;
    // Runs when the webapp's WebSocket is back after being down; what it missed is not replayed.
    registerReconnectHandler?(handler: () => void): void;
    // Draws a component in the right-hand sidebar; the actions it returns show, hide or toggle it
    // when dispatched.
    registerRightHandSidebarComponent(component: ComponentType, title: string): RightHandSidebar;
    // A button in the channel header, whose icon is any element. Where Mattermost shows the App
    // Bar, it draws a plugin's App Bar icon instead of its header buttons.
    registerChannelHeaderButtonAction(icon: ReactNode, action: () => void, dropdownText: string, tooltipText: string): string;
    // An icon in the App Bar, right of the channel; iconUrl may be a data: URL. Mattermost marks it
    // internal, subject to change.
    registerAppBarComponent?(iconUrl: string, action: () => void, tooltipText: string): string;
    // Removes a component registered before, such as an App Bar icon to draw anew.
    unregisterComponent?(componentId: string): void;
}

export interface RightHandSidebar {
    id: string;
    showRHSPlugin: StoreAction;
    hideRHSPlugin: StoreAction;
    toggleRHSPlugin: StoreAction;
}

// StoreAction is what the webapp's store dispatches: a plain action, or one of the webapp's own
// thunks (the sidebar's), which the plugin passes on without looking in.
export type StoreAction = {type: string} | ((...args: never[]) => unknown);

// PluginStore is the webapp's redux store as initialize() gets it.
export interface PluginStore {
    getState(): unknown;
    subscribe?(listener: () => void): () => void;
    dispatch(action: StoreAction): unknown;
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
