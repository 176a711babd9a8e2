// The bot's user id, kept from the server's one answer. A small store read with
// useSyncExternalStore rather than a reducer in Mattermost's redux store: the posts already on
// screen re-render when the id arrives all the same, with no action types, selectors or Provider,
// and a test drives it with a plain promise.
export interface BotUser {
    // getId is null until the server has named the bot, and stays null if it could not.
    getId: () => string | null;
    subscribe: (listener: () => void) => () => void;
}

export function botUserStore(answer: Promise<string | null>): BotUser {
    let id: string | null = null;
    const listeners = new Set<() => void>();
    void answer.then((userId) => {
        id = userId;
        listeners.forEach((listener) => listener());
    });
    return {
        getId: () => id,
        subscribe: (listener) => {
            listeners.add(listener);
            return () => {
                listeners.delete(listener);
            };
        },
    };
}
