import {messages} from './messages';
import de from './i18n/de.json';

const en: Record<string, string> = Object.fromEntries(Object.values(messages).map((m) => [m.id, String(m.defaultMessage)]));

// Strings by locale for registerTranslations. English, from messages.ts, is the fallback, also for
// any id a translation lacks.
export const translations: Record<string, Record<string, string>> = {
    en,
    de: {...en, ...de},
};

// textOf words a message in a locale once, for the places Mattermost shows plain text (titles,
// tooltips) rather than a component that follows the user's language.
export const textOf = (locale: string, message: {id: string; defaultMessage: string}): string =>
    translations[locale]?.[message.id] ?? message.defaultMessage;
