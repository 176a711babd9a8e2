import {messages} from './messages';

// Strings by locale for registerTranslations; English, from messages.ts, is the fallback.
export const translations: Record<string, Record<string, string>> = {
    en: Object.fromEntries(Object.values(messages).map((m) => [m.id, String(m.defaultMessage)])),
};
