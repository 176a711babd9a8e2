// Strings the webapp shows, by locale; English is the fallback.
export const translations: Record<string, Record<string, string>> = {
    en: {
        'buildbot.plugin.name': 'Buildbot',
    },
};
