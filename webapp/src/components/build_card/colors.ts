import type {State} from '../../build_status';
import type {Theme} from '../../types/theme';

// stateColor picks a theme colour per state, so the card reads in light and dark themes alike.
export function stateColor(state: State, theme: Theme): string {
    switch (state) {
    case 'success':
        return theme.onlineIndicator;
    case 'warnings':
    case 'retry':
        return theme.awayIndicator;
    case 'failure':
    case 'exception':
        return theme.errorTextColor;
    case 'building':
    case 'queued':
        return theme.linkColor;
    default:
        return fade(theme.centerChannelColor, 0.64);
    }
}

// fade gives a colour of the theme at an opacity, for borders and secondary text.
export function fade(color: string, opacity: number): string {
    const hex = color.replace('#', '');
    if (!/^[0-9a-fA-F]{6}$/.test(hex)) {
        return color;
    }
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${opacity})`;
}
