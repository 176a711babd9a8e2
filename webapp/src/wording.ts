// Times worded for people, shared by the builds panel and the status card. Each picks a message
// whose plurals and ordinals the locale words itself: German says "3. für" and "seit 2 Tagen", which
// no English sentence with a number slotted in can give.
import type {IntlShape} from 'react-intl';

import {messages} from './messages';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

// Queue is a queued build's place in its builder's line (1 the next to start, 0 unknown) and its
// estimated start (epoch ms, 0 unknown).
export interface Queue {
    place: number;
    builder: string;
    startsAt: number;
}

function startWording(intl: IntlShape, startsAt: number, now: number): string {
    if (startsAt === 0) {
        return intl.formatMessage(messages.panelQueueUnknown);
    }
    if (startsAt <= now) {
        return intl.formatMessage(messages.panelQueueOverdue);
    }
    const minutes = Math.round((startsAt - now) / MINUTE);
    if (minutes < 1) {
        return intl.formatMessage(messages.panelQueueSoon);
    }
    if (minutes < 60) {
        return intl.formatMessage(messages.panelQueueMinutes, {minutes});
    }
    return intl.formatMessage(messages.panelQueueHours, {hours: Math.round(minutes / 60)});
}

// queueLine words where a queued build stands: "3rd for webapp-linux · starts in about 4 min".
export function queueLine(intl: IntlShape, queue: Queue, now: number): string {
    const when = startWording(intl, queue.startsAt, now);
    return queue.place > 0 ? intl.formatMessage(messages.panelQueuePlace, {place: queue.place, builder: queue.builder, when}) : when;
}

// failingFor words how long a builder has failed, since its first failure finished (epoch ms),
// and how many builds failed: "Failing for 3 hours, 2 failed builds".
export function failingFor(intl: IntlShape, since: number, now: number, failures: number): string {
    const span = Math.max(0, now - since);
    const minutes = Math.max(1, Math.floor(span / MINUTE));
    let unit = 'minute';
    let n = minutes;
    if (span >= 2 * 24 * HOUR) {
        unit = 'day';
        n = Math.floor(span / (24 * HOUR));
    } else if (span >= HOUR) {
        unit = 'hour';
        n = Math.floor(span / HOUR);
    }
    return intl.formatMessage(messages.panelRedFailing, {unit, n, failures});
}
