import type {Row} from '../../build_status';
import {isRunning} from '../../build_status';
import type {Theme} from '../../types/theme';

import {stateColor} from './colors';
import {formatDuration} from './format';
import {useNow} from './use_now';

const LABELS: Record<Row['state'], string> = {
    queued: 'Queued', building: 'Building', success: 'Succeeded', warnings: 'Warnings', failure: 'Failed',
    skipped: 'Skipped', exception: 'Exception', retry: 'Retrying', cancelled: 'Cancelled', superseded: 'Superseded by a newer request',
};

export const stateLabel = (state: Row['state']): string => LABELS[state];

interface Props {
    row: Row;
    theme: Theme;
}

// BuildRow is one builder's line: its state, link, current step and duration.
export function BuildRow({row, theme}: Props) {
    const running = isRunning(row.state);
    const now = useNow(running && Boolean(row.startedAt));
    let duration = '';
    if (row.startedAt) {
        const end = running ? now : row.completeAt ?? row.startedAt;
        duration = formatDuration(end - row.startedAt);
    }
    const name = row.number ? `${row.builder} #${row.number}` : row.builder;
    return (
        <li style={{display: 'flex', gap: 8, alignItems: 'baseline', listStyle: 'none'}}>
            <span
                role='img'
                aria-label={stateLabel(row.state)}
                style={{display: 'inline-block', width: 8, height: 8, borderRadius: 4, background: stateColor(row.state, theme)}}
            />
            <a
                href={row.url}
                target='_blank'
                rel='noopener noreferrer'
                style={{color: theme.linkColor}}
            >
                {name}
            </a>
            <span style={{color: stateColor(row.state, theme)}}>{stateLabel(row.state)}</span>
            {row.state === 'building' && row.stateString && <span>{row.stateString}</span>}
            {duration && <span aria-label='duration'>{duration}</span>}
        </li>
    );
}
