import type {PluginClass, PluginRegistry} from '../types/registry';

function fakeRegistry(): jest.Mocked<PluginRegistry> {
    return {
        registerPostTypeComponent: jest.fn(),
        registerWebSocketEventHandler: jest.fn(),
        registerReducer: jest.fn(),
        registerTranslations: jest.fn(),
    };
}

test('the bundle registers itself under the id from plugin.json', async () => {
    const registered: Array<[string, PluginClass]> = [];
    window.registerPlugin = (id, plugin) => registered.push([id, plugin]);

    await import('../index');

    expect(registered).toHaveLength(1);
    expect(registered[0]?.[0]).toBe('buildbot');
});

test('initialize registers English strings as the fallback for any locale', async () => {
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();

    new Plugin().initialize(registry, {getState: () => ({})});

    const lookup = registry.registerTranslations.mock.calls[0]?.[0];
    expect(lookup?.('fr')['buildbot.plugin.name']).toBe('Buildbot');
});

test('initialize registers the card for the plugin\'s post type', async () => {
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();

    new Plugin().initialize(registry, {getState: () => ({entities: {general: {config: {SiteURL: 'https://chat.example.com'}}}})});

    expect(registry.registerPostTypeComponent).toHaveBeenCalledWith('custom_buildbot_build', expect.any(Function));
});
