import {someBuilds, someSubscriptions} from '../tests/panel_fakes';

import {channelShown, initialPanelState, panelClosed, panelOf, panelOpened, panelReducer, partFailed, partLoaded, partLoading, redCountRead, type PanelState} from './reducer';

const onC1: PanelState = panelReducer(undefined, channelShown('c1'));

test('the panel starts closed, with nothing read', () => {
    expect(panelReducer(undefined, {type: 'anything'})).toBe(initialPanelState);
    expect(initialPanelState).toMatchObject({open: false, redCount: null, builds: {value: null, error: null, loading: false}});
});

test('the webapp\'s own actions leave the state as it is', () => {
    expect(panelReducer(onC1, {type: 'RECEIVED_POSTS'})).toBe(onC1);
});

test('opening and closing the panel keeps what was read', () => {
    const read = panelReducer(onC1, partLoaded('c1', 'mine', []));
    const open = panelReducer(read, panelOpened());

    expect(open.open).toBe(true);
    expect(open.mine.value).toEqual([]);
    expect(panelReducer(open, panelOpened())).toBe(open);
    expect(panelReducer(open, panelClosed())).toEqual(read);
});

test('an answer is shown once read, with the badge\'s count the builds carry', () => {
    const loading = panelReducer(onC1, partLoading('c1', 'builds'));
    expect(loading.builds).toEqual({value: null, error: null, loading: true});

    const builds = someBuilds({redCount: 2});
    const read = panelReducer(loading, partLoaded('c1', 'builds', builds));

    expect(read.builds).toEqual({value: builds, error: null, loading: false});
    expect(read.redCount).toBe(2);
});

test('a refusal replaces the answer with the server\'s words', () => {
    const read = panelReducer(onC1, partLoaded('c1', 'subscriptions', someSubscriptions()));

    const refused = panelReducer(read, partFailed('c1', 'subscriptions', 'Buildbot is not allowed in this channel.'));

    expect(refused.subscriptions).toEqual({value: null, error: 'Buildbot is not allowed in this channel.', loading: false});
});

test('another channel starts over, and what comes back for the one before is dropped', () => {
    const open = panelReducer(panelReducer(panelReducer(onC1, panelOpened()), partLoaded('c1', 'builds', someBuilds())), redCountRead('c1', 3));

    const onC2 = panelReducer(open, channelShown('c2'));
    expect(onC2).toEqual({...initialPanelState, open: true, channelId: 'c2'});
    expect(panelReducer(onC2, channelShown('c2'))).toBe(onC2);

    expect(panelReducer(onC2, partLoaded('c1', 'builds', someBuilds()))).toBe(onC2);
    expect(panelReducer(onC2, partFailed('c1', 'mine', 'no'))).toBe(onC2);
    expect(panelReducer(onC2, redCountRead('c1', 5))).toBe(onC2);
    expect(panelReducer(onC2, redCountRead('c2', 5)).redCount).toBe(5);
});

test('the panel\'s state is read from the plugin\'s key of the store, or is the initial one', () => {
    expect(panelOf({'plugins-buildbot': onC1})).toBe(onC1);
    expect(panelOf({})).toBe(initialPanelState);
    expect(panelOf(undefined)).toBe(initialPanelState);
});
