import {parseMine, parsePanelBuilds, parsePanelEvent, parseRedCount, parseSubscriptions, parseSubscriptionsEvent} from './answers';

const wireBuild = {
    builder: 'webapp-linux', builder_id: 3, state: 'building', build_id: 12, number: 5, request_id: 44, step: 'compile', started_at: 1765000000000,
    branch: 'main', started_by: 'alice', url: 'http://buildbot/#/builders/3/builds/5', post_url: 'http://mm/_redirect/pl/post1', may_stop: true,
};
const wireQueued = {...wireBuild, state: 'queued', build_id: 0, number: 0, request_id: 45, step: '', post_url: '', may_stop: false, place: 3,
    starts_at: 1765000100000};
const wireRed = {repo: 'webapp', builder: 'webapp-linux', builder_id: 3, branch: 'main', since: 1765000000000, failures: 2, number: 17,
    url: 'http://buildbot/#/builders/3/builds/17', first_bad: {revision: 'abc1234', author: 'Alice', comment: 'first line'}, subscribed: true};
const wireBuilds = (over: object = {}) => ({read_at: 1765000000000, repos: [{repo: 'webapp', builds: [wireBuild, wireQueued]}], red: [wireRed], red_count: 2, ...over});

describe('parsePanelBuilds', () => {
    test('reads the server\'s answer, with a running build\'s place and start as 0', () => {
        const builds = parsePanelBuilds(wireBuilds());

        expect(builds?.redCount).toBe(2);
        expect(builds?.repos[0]?.builds[0]).toMatchObject({builder: 'webapp-linux', state: 'building', buildId: 12, postUrl: 'http://mm/_redirect/pl/post1',
            mayStop: true, place: 0, startsAt: 0});
        expect(builds?.repos[0]?.builds[1]).toMatchObject({state: 'queued', requestId: 45, postUrl: '', place: 3, startsAt: 1765000100000});
        expect(builds?.red[0]).toMatchObject({builder: 'webapp-linux', failures: 2, firstBad: {revision: 'abc1234', author: 'Alice', comment: 'first line'}});
    });

    test('a status post link is a path on Mattermost\'s own site when its Site URL is not set', () => {
        const build = parsePanelBuilds(wireBuilds({repos: [{repo: 'webapp', builds: [{...wireBuild, post_url: '/_redirect/pl/post1'}]}]}))?.repos[0]?.builds[0];
        expect(build?.postUrl).toBe('/_redirect/pl/post1');
    });

    test('a red builder without a first bad change reads as null', () => {
        expect(parsePanelBuilds(wireBuilds({red: [{...wireRed, first_bad: null}]}))?.red[0]?.firstBad).toBeNull();
    });

    test.each<[string, object]>([
        ['a link that is not http', {...wireBuild, url: 'javascript:alert(1)'}],
        ['a status post link that is not http', {...wireBuild, post_url: 'javascript:alert(1)'}],
        ['a status post link to another site without a scheme', {...wireBuild, post_url: '//evil.example/x'}],
        ['an unknown state', {...wireBuild, state: 'paused'}],
        ['a number that is text', {...wireBuild, number: '5'}],
        ['a place that is negative', {...wireQueued, place: -1}],
    ])('a build with %s is left out, and the others shown', (_, bad) => {
        expect(parsePanelBuilds(wireBuilds({repos: [{repo: 'webapp', builds: [bad, wireQueued]}]}))?.repos[0]?.builds.map((b) => b.requestId)).toEqual([45]);
    });

    test('a red builder whose first bad change does not read is left out', () => {
        expect(parsePanelBuilds(wireBuilds({red: [{...wireRed, first_bad: {revision: 7}}]}))?.red).toEqual([]);
    });

    test.each<[string, unknown]>([
        ['an answer without the badge\'s count', wireBuilds({red_count: undefined})],
        ['repos that are not a list', wireBuilds({repos: {}})],
        ['an error', {error: 'no'}],
        ['nothing', null],
    ])('%s is no answer', (_, body) => {
        expect(parsePanelBuilds(body)).toBeNull();
    });
});

test('the viewer\'s builds read with their builders, and one of an unknown state is left out', () => {
    const mine = parseMine({builds: [
        {post_url: 'http://mm/_redirect/pl/p1', repo: 'webapp', branch: 'main', state: 'failure', at: 1, builders: [{builder: 'webapp-linux', number: 5, state: 'failure'}]},
        {post_url: 'http://mm/_redirect/pl/p2', repo: 'webapp', branch: 'main', state: 'melted', at: 2, builders: []},
    ]});

    expect(mine).toEqual([{postUrl: 'http://mm/_redirect/pl/p1', repo: 'webapp', branch: 'main', state: 'failure', at: 1,
        builders: [{builder: 'webapp-linux', number: 5, state: 'failure'}]}]);
    expect(parseMine({})).toBeNull();
});

test('the subscriptions read with what the form offers', () => {
    const subs = parseSubscriptions({
        subscriptions: [{repo: 'webapp', branch: '', events: ['finished'], style: 'card', creator: 'alice', created_at: 1}],
        may_edit: false, refusal: 'Only channel admins may.', events: [{event: 'finished', means: 'when a build ends'}],
        default_events: ['finished'], repos: ['webapp', 'api'],
    });

    expect(subs).toEqual({subscriptions: [{repo: 'webapp', branch: '', events: ['finished'], creator: 'alice'}], mayEdit: false,
        refusal: 'Only channel admins may.', events: [{event: 'finished', means: 'when a build ends'}], defaultEvents: ['finished'], repos: ['webapp', 'api']});
    expect(parseSubscriptions({subscriptions: [], may_edit: true})).toBeNull();
});

test('the badge\'s count and the events\' data read, or are nothing', () => {
    expect(parseRedCount({count: 2})).toBe(2);
    expect(parseRedCount({count: -1})).toBeNull();
    expect(parsePanelEvent({at: 1765000000000})).toEqual({at: 1765000000000, buildbot: true, builds: false, posts: false});
    expect(parsePanelEvent({at: 1765000000000, buildbot: true, builds: true, posts: false})).toEqual({at: 1765000000000, buildbot: true, builds: true, posts: false});
    expect(parsePanelEvent({at: 1765000000000, buildbot: false, builds: false, posts: true})).toEqual({at: 1765000000000, buildbot: false, builds: false, posts: true});
    expect(parsePanelEvent({at: 'now'})).toBeNull();
    expect(parseSubscriptionsEvent({channel_id: 'c1'})).toEqual({channelId: 'c1'});
    expect(parseSubscriptionsEvent({channel_id: ''})).toBeNull();
});
