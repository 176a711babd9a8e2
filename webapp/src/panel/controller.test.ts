import {act} from '@testing-library/react';

import {PluginRefusal} from '../client';
import {fakeClient, queued, running, someBuilds, testStore} from '../tests/panel_fakes';

import {coalesced, panelController} from './controller';
import {panelOf} from './reducer';

// settle lets the fake client's answers arrive.
const settle = () => act(async () => undefined);

// buildbotEvent is the panel event for a change on Buildbot; builds says a build started or finished.
const buildbotEvent = (at: number, builds: boolean) => ({at, buildbot: true, builds, posts: false});

function started(client = fakeClient(), store = testStore()) {
    const controller = panelController(client, store);
    controller.start();
    return {client, store, controller, panel: () => panelOf(store.getState())};
}

test('at start the badge is read for the channel shown, and nothing else while the panel is closed', async () => {
    const {client, panel} = started(fakeClient({redCount: 2}));
    await settle();

    expect(client.redCount).toHaveBeenCalledWith({channelId: 'c1', teamId: 't1'});
    expect(panel().redCount).toBe(2);
    expect(client.builds).not.toHaveBeenCalled();
});

test('opening the panel reads the builds, the viewer\'s builds and the subscriptions', async () => {
    const {client, controller, panel} = started();

    controller.opened();
    await settle();

    expect(client.builds).toHaveBeenCalledWith({channelId: 'c1', teamId: 't1'}, undefined);
    expect(client.mine).toHaveBeenCalledTimes(1);
    expect(client.subscriptions).toHaveBeenCalledTimes(1);
    expect(panel()).toMatchObject({open: true, builds: {error: null, loading: false}, mine: {value: []}});
});

test('a refusal reaches the panel in the server\'s words; any other failure as no words', async () => {
    const client = fakeClient();
    client.builds.mockRejectedValue(new PluginRefusal('Buildbot is not allowed in this channel.'));
    client.mine.mockRejectedValue(new TypeError('Failed to fetch'));
    const {controller, panel} = started(client);

    controller.opened();
    await settle();

    expect(panel().builds.error).toBe('Buildbot is not allowed in this channel.');
    expect(panel().mine.error).toBe('');
});

test('a build that starts or ends re-reads the badge, and the builds and the viewer\'s builds only while the panel is open', async () => {
    const {client, controller} = started();
    await settle();

    controller.buildsChanged(buildbotEvent(1000, true));
    await settle();
    expect(client.builds).not.toHaveBeenCalled();
    expect(client.mine).not.toHaveBeenCalled();
    expect(client.redCount).toHaveBeenCalledTimes(2);

    controller.opened();
    await settle();
    controller.buildsChanged(buildbotEvent(2000, true));
    await settle();
    expect(client.builds).toHaveBeenLastCalledWith({channelId: 'c1', teamId: 't1'}, 2000);
    expect(client.mine).toHaveBeenCalledTimes(2);
    expect(client.redCount).toHaveBeenCalledTimes(3);

    controller.closed();
    controller.buildsChanged(buildbotEvent(3000, true));
    await settle();
    expect(client.builds).toHaveBeenCalledTimes(2);
});

test('a step or the queue moving re-reads the open panel\'s builds alone: every webapp hears the event', async () => {
    const {client, controller} = started();
    await settle();
    controller.buildsChanged(buildbotEvent(1000, false));
    await settle();
    expect(client.redCount).toHaveBeenCalledTimes(1);

    controller.opened();
    await settle();
    controller.buildsChanged(buildbotEvent(2000, false));
    await settle();
    expect(client.builds).toHaveBeenCalledTimes(2);
    expect(client.mine).toHaveBeenCalledTimes(1);
    expect(client.redCount).toHaveBeenCalledTimes(1);
});

test('a status post that shows another state re-reads the open panel\'s own builds alone', async () => {
    const {client, controller} = started();
    await settle();
    controller.opened();
    await settle();

    controller.buildsChanged({at: 2000, buildbot: false, builds: false, posts: true});
    await settle();

    expect(client.mine).toHaveBeenCalledTimes(2);
    expect(client.builds).toHaveBeenCalledTimes(1);
    expect(client.redCount).toHaveBeenCalledTimes(1);
});

test('a burst of events while a read is out costs one more read, for the newest event', async () => {
    const client = fakeClient();
    const answers: Array<() => void> = [];
    client.builds.mockImplementation(() => new Promise((resolve) => answers.push(() => resolve(someBuilds()))));
    const {controller} = started(client);
    controller.opened();

    controller.buildsChanged(buildbotEvent(1000, false));
    controller.buildsChanged(buildbotEvent(3000, false));
    controller.buildsChanged(buildbotEvent(2000, false));
    expect(client.builds).toHaveBeenCalledTimes(1);

    await act(async () => answers.shift()?.());
    expect(client.builds).toHaveBeenCalledTimes(2);
    expect(client.builds).toHaveBeenLastCalledWith({channelId: 'c1', teamId: 't1'}, 3000);
});

test('coalesced runs again once after a run, however many calls came during it', async () => {
    let finish: () => void = () => undefined;
    const read = jest.fn(() => new Promise<void>((resolve) => {
        finish = resolve;
    }));
    const run = coalesced(read);

    run();
    run();
    run();
    expect(read).toHaveBeenCalledTimes(1);
    await act(async () => finish());
    expect(read).toHaveBeenCalledTimes(2);
    await act(async () => finish());
    expect(read).toHaveBeenCalledTimes(2);
});

test('the subscriptions event for the channel shown re-reads its badge, and its subscriptions while open; another channel\'s is ignored', async () => {
    const {client, controller} = started();
    await settle();

    controller.subscriptionsChanged('c2');
    await settle();
    expect(client.redCount).toHaveBeenCalledTimes(1);

    controller.subscriptionsChanged('c1');
    await settle();
    expect(client.redCount).toHaveBeenCalledTimes(2);
    expect(client.subscriptions).not.toHaveBeenCalled();

    controller.opened();
    await settle();
    controller.subscriptionsChanged('c1');
    await settle();
    expect(client.subscriptions).toHaveBeenCalledTimes(2);
});

test('another channel starts over: its badge is read, and, while open, the panel for it', async () => {
    const {client, store, controller, panel} = started(fakeClient({redCount: 4}));
    controller.opened();
    await settle();

    act(() => store.show('c2'));
    expect(panel()).toMatchObject({channelId: 'c2', builds: {value: null}, redCount: null});
    await settle();

    expect(client.redCount).toHaveBeenLastCalledWith({channelId: 'c2', teamId: 't1'});
    expect(client.builds).toHaveBeenLastCalledWith({channelId: 'c2', teamId: 't1'}, undefined);
    expect(panel()).toMatchObject({channelId: 'c2', redCount: 4, builds: {error: null}});
});

test('a reconnect reads again what is shown', async () => {
    const {client, controller} = started();
    controller.opened();
    await settle();

    controller.reconnected();
    await settle();

    expect(client.redCount).toHaveBeenCalledTimes(2);
    expect(client.builds).toHaveBeenCalledTimes(2);
    expect(client.mine).toHaveBeenCalledTimes(2);
    expect(client.subscriptions).toHaveBeenCalledTimes(2);
});

test('Stop names a running build by its id and a queued one by its request\'s, then reads the builds again', async () => {
    const {client, controller} = started();
    controller.opened();
    await settle();

    expect(await controller.stop(running({buildId: 12}))).toBe('Done.');
    expect(client.stop).toHaveBeenLastCalledWith({channelId: 'c1', teamId: 't1'}, {buildId: 12});
    await controller.stop(queued({requestId: 45}));
    expect(client.stop).toHaveBeenLastCalledWith({channelId: 'c1', teamId: 't1'}, {requestId: 45});
    await settle();
    expect(client.builds).toHaveBeenCalledTimes(3);
});

test('a change without a channel shown is refused before it reaches the server', async () => {
    const {client, controller} = started(fakeClient(), testStore(''));

    await expect(controller.subscribe({repo: 'webapp', branch: '', events: ['finished']})).rejects.toThrow();
    expect(client.subscribe).not.toHaveBeenCalled();
});
