import {useIntl} from 'react-intl';

import type {Row} from '../../build_status';
import {messages} from '../../messages';
import type {Theme} from '../../types/theme';

import {fade} from './colors';

interface Props {
    row: Row;
    theme: Theme;
}

// StepProgress is a running build's thin progress bar with its current step. Buildbot adds steps
// as they start, so the total is the server's estimate; without one, only the step is named.
export function StepProgress({row, theme}: Props) {
    const intl = useIntl();
    if (!row.step) {
        return null;
    }
    const total = row.stepsTotal ?? 0;
    const done = Math.min(row.stepsDone ?? 0, total);
    const secondary = fade(theme.centerChannelColor, 0.64);
    if (total === 0) {
        return <div style={{color: secondary, fontSize: 12}}>{intl.formatMessage(messages.currentStep, {name: row.step})}</div>;
    }
    const current = Math.min(done + 1, total);
    const label = intl.formatMessage(messages.progress, {current, total});
    return (
        <div style={{display: 'flex', alignItems: 'center', gap: 8, fontSize: 12, color: secondary}}>
            <div
                role='progressbar'
                aria-label={label}
                aria-valuemin={0}
                aria-valuemax={total}
                aria-valuenow={done}
                style={{flex: '0 0 120px', height: 4, borderRadius: 2, background: fade(theme.centerChannelColor, 0.12), overflow: 'hidden'}}
            >
                <div style={{width: `${(100 * done) / total}%`, height: '100%', background: theme.linkColor, transition: 'width 0.3s'}}/>
            </div>
            <span>{`${label} · ${row.step}`}</span>
        </div>
    );
}
