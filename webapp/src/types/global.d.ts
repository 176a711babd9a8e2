import type {PluginClass} from './registry';

declare global {
    interface Window {
        registerPlugin(id: string, plugin: PluginClass): void;
    }
}
