import {createIntl} from 'react-intl';

import {translations} from './translations';
import {failingFor, queueLine} from './wording';

const MINUTE = 60 * 1000;
const now = 1765000000000;
const intlFor = (locale: string) => createIntl({locale, messages: translations[locale]});

describe('queueLine', () => {
    test.each<[string, string, number, number, string]>([
        ['the next to start', 'en', 1, now + 4 * MINUTE, '1st for webapp-linux · starts in about 4 min'],
        ['the second', 'en', 2, now + 4 * MINUTE, '2nd for webapp-linux · starts in about 4 min'],
        ['the third', 'en', 3, now + 4 * MINUTE, '3rd for webapp-linux · starts in about 4 min'],
        ['the fourth', 'en', 4, now + 1 * MINUTE, '4th for webapp-linux · starts in about 1 min'],
        ['the eleventh', 'en', 11, now + 4 * MINUTE, '11th for webapp-linux · starts in about 4 min'],
        ['the twenty-second', 'en', 22, now + 4 * MINUTE, '22nd for webapp-linux · starts in about 4 min'],
        ['one starting within seconds', 'en', 1, now + 20000, '1st for webapp-linux · starts in less than a minute'],
        ['one starting in hours', 'en', 5, now + 130 * MINUTE, '5th for webapp-linux · starts in about 2 hours'],
        ['one starting in an hour', 'en', 5, now + 65 * MINUTE, '5th for webapp-linux · starts in about 1 hour'],
        ['one whose start Buildbot cannot tell', 'en', 3, 0, '3rd for webapp-linux · start time unknown'],
        ['one that should have started', 'en', 1, now - MINUTE, '1st for webapp-linux · should have started by now'],
        ['one of unknown place', 'en', 0, now + 4 * MINUTE, 'starts in about 4 min'],
        ['the third, in German', 'de', 3, now + 4 * MINUTE, '3. für webapp-linux · beginnt in etwa 4 Min.'],
        ['the first, in German, in an hour', 'de', 1, now + 60 * MINUTE, '1. für webapp-linux · beginnt in etwa 1 Stunde'],
        ['one starting in hours, in German', 'de', 2, now + 180 * MINUTE, '2. für webapp-linux · beginnt in etwa 3 Stunden'],
        ['one of unknown start, in German', 'de', 2, 0, '2. für webapp-linux · Startzeit unbekannt'],
    ])('%s', (_, locale, place, startsAt, want) => {
        expect(queueLine(intlFor(locale), {place, builder: 'webapp-linux', startsAt}, now)).toBe(want);
    });
});

describe('failingFor', () => {
    test.each<[string, string, number, number, string]>([
        ['a failure just now', 'en', 10000, 1, 'Failing for 1 minute, 1 failed build'],
        ['minutes', 'en', 42 * MINUTE, 2, 'Failing for 42 minutes, 2 failed builds'],
        ['an hour', 'en', 61 * MINUTE, 3, 'Failing for 1 hour, 3 failed builds'],
        ['a day and more, in hours', 'en', 30 * 60 * MINUTE, 3, 'Failing for 30 hours, 3 failed builds'],
        ['days', 'en', 3 * 24 * 60 * MINUTE, 9, 'Failing for 3 days, 9 failed builds'],
        ['a minute, in German', 'de', 30000, 1, 'Schlägt seit 1 Minute fehl, 1 fehlgeschlagener Build'],
        ['days, in German', 'de', 3 * 24 * 60 * MINUTE, 4, 'Schlägt seit 3 Tagen fehl, 4 fehlgeschlagene Builds'],
    ])('%s', (_, locale, ago, failures, want) => {
        expect(failingFor(intlFor(locale), now - ago, now, failures)).toBe(want);
    });
});
