import {id} from './manifest';
import {translations} from './translations';
import type {PluginClass, PluginRegistry} from './types/registry';

export class Plugin implements PluginClass {
    public initialize(registry: PluginRegistry): void {
        registry.registerTranslations((locale) => translations[locale] ?? translations.en ?? {});
    }
}

window.registerPlugin(id, new Plugin());
