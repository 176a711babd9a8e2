// The theme colours the card uses, as Mattermost passes them in the `theme` prop.
export interface Theme {
    centerChannelBg: string;
    centerChannelColor: string;
    linkColor: string;
    buttonBg: string;
    buttonColor: string;
    onlineIndicator: string;
    awayIndicator: string;
    dndIndicator: string;
    errorTextColor: string;
}
