import type {ReactNode} from 'react';
import {useIntl} from 'react-intl';

import type {Broken, Row} from '../../build_status';
import {messages} from '../../messages';
import type {Theme} from '../../types/theme';

import {fade} from './colors';
import {formatDuration, shortRevision} from './format';

interface Props {
    row: Row;
    broken: Broken;
    theme: Theme;
}

// BrokenSince tells the run of failed builds before a finished row's build on its builder and
// branch: since which build a failed row fails, and with what change it first failed; or, for a
// row that passed, after how many failed builds it was fixed. Other states say nothing of it.
export function BrokenSince({row, broken, theme}: Props) {
    const intl = useIntl();
    const failing = row.state === 'failure';
    if (!failing && row.state !== 'success' && row.state !== 'warnings') {
        return null;
    }
    const secondary = fade(theme.centerChannelColor, 0.64);
    const known = broken.at > 0 && row.completeAt !== undefined && row.completeAt >= broken.at;
    const duration = known ? formatDuration((row.completeAt ?? 0) - broken.at) : '';
    const link = (
        <a
            key='since'
            href={broken.url}
            target='_blank'
            rel='noopener noreferrer'
            style={{color: theme.linkColor}}
        >
            {`#${broken.number}`}
        </a>
    );
    const values = {link, count: broken.failures, duration};
    if (!failing) {
        return (
            <div style={{color: secondary, overflowWrap: 'anywhere'}}>
                {intl.formatMessage(duration ? messages.brokenFixedAfterFor : messages.brokenFixedAfter, values)}
            </div>
        );
    }
    const revision = broken.revision && (
        <code
            key='revision'
            title={broken.revision}
        >
            {shortRevision(broken.revision)}
        </code>
    );
    let first: ReactNode = null;
    if (revision && broken.author) {
        first = intl.formatMessage(messages.brokenFirstFailedWithBy, {revision, username: broken.author});
    } else if (revision) {
        first = intl.formatMessage(messages.brokenFirstFailedWith, {revision});
    } else if (broken.author) {
        first = intl.formatMessage(messages.brokenFirstFailedBy, {username: broken.author});
    }
    return (
        <div style={{display: 'flex', columnGap: 8, flexWrap: 'wrap', alignItems: 'baseline', overflowWrap: 'anywhere'}}>
            <span style={{color: theme.errorTextColor}}>
                {intl.formatMessage(duration ? messages.brokenFailingSinceFor : messages.brokenFailingSince, values)}
            </span>
            {first && <span style={{color: secondary}}>{first}</span>}
        </div>
    );
}
