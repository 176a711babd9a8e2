import type {State} from '../../build_status';
import type {Theme} from '../../types/theme';

import {fade, stateColor} from './colors';

interface Props {
    state: State;
    label: string;
    theme: Theme;
}

// StateIcon is a dot in the state's colour, or a spinner while the build runs. The spinner's
// animation lives in CardStyles (card_styles.tsx).
export function StateIcon({state, label, theme}: Props) {
    const color = stateColor(state, theme);
    const spinning = state === 'building' || state === 'retry';
    const style = spinning ? {border: `2px solid ${fade(theme.centerChannelColor, 0.16)}`, borderTopColor: color, background: 'transparent'} : {background: color};
    return (
        <span
            role='img'
            aria-label={label}
            className={spinning ? 'buildbot-spinner' : undefined}
            style={{display: 'inline-block', flex: 'none', boxSizing: 'border-box', width: 10, height: 10, borderRadius: '50%', alignSelf: 'center', ...style}}
        />
    );
}
