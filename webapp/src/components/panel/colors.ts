import type {State} from '../../build_status';

// colors are Mattermost's theme CSS variables, which the webapp sets for the theme the user chose:
// the sidebar gets no theme prop to pass down, and nothing here breaks a dark theme.
export const colors = {
    text: 'var(--center-channel-color)',
    secondary: 'rgba(var(--center-channel-color-rgb), 0.64)',
    border: 'rgba(var(--center-channel-color-rgb), 0.16)',
    background: 'var(--center-channel-bg)',
    link: 'var(--link-color)',
    button: 'var(--button-bg)',
    error: 'var(--error-text)',
    good: 'var(--online-indicator)',
    warn: 'var(--away-indicator)',
};

// stateColor is the colour of a status post's state, as the card picks it from the theme prop.
export function stateColor(state: State): string {
    switch (state) {
    case 'success':
        return colors.good;
    case 'warnings':
    case 'retry':
        return colors.warn;
    case 'failure':
    case 'exception':
        return colors.error;
    case 'building':
    case 'queued':
        return colors.link;
    default:
        return colors.secondary;
    }
}
