import {botUserStore} from './bot_user';

describe('botUserStore', () => {
    test('knows no bot until the server answers, then tells its subscribers once', async () => {
        let name: (id: string | null) => void = () => undefined;
        const store = botUserStore(new Promise((resolve) => {
            name = resolve;
        }));
        const listener = jest.fn();
        store.subscribe(listener);

        expect(store.getId()).toBeNull();
        name('botuserid1');
        await Promise.resolve();

        expect(store.getId()).toBe('botuserid1');
        expect(listener).toHaveBeenCalledTimes(1);
    });

    test('a subscriber that left is not told', async () => {
        const store = botUserStore(Promise.resolve('botuserid1'));
        const listener = jest.fn();
        store.subscribe(listener)();

        await Promise.resolve();

        expect(listener).not.toHaveBeenCalled();
    });
});
