import {act, render, screen, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {Post} from '@mattermost/types/posts';
import {IntlProvider} from 'react-intl';

import {translations} from '../../translations';
import type {Theme} from '../../types/theme';

import {BuildCard} from './build_card';

const light: Theme = {
    centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff',
    onlineIndicator: '#06d6a0', awayIndicator: '#ffbc1f', dndIndicator: '#d24b4e', errorTextColor: '#d24b4e',
};

type RowProps = Record<string, unknown>;

const bot = 'botuserid1';

function post(status: Record<string, unknown> | undefined, message = 'fallback message', author = bot): Post {
    return {id: 'post1', user_id: author, message, props: status ? {buildbot_build: status} : {}} as unknown as Post;
}

function status(state: string, rows: RowProps[], extra: Record<string, unknown> = {}) {
    return {version: 1, state, repo: 'project-example', branch: 'main', revision: '0123456789abcdef', requested_by: 'alice',
        buildbot_url: 'https://ci.example.com/', rows, ...extra};
}

function row(state: string, extra: RowProps = {}): RowProps {
    return {builder: 'compile', builder_id: 1, request_id: 7, state, url: 'https://ci.example.com/#/buildrequests/7', ...extra};
}

const finished = (state: string) => row(state, {build_id: 3, number: 12, started_at: 100, complete_at: 165, url: 'https://ci.example.com/#/builders/1/builds/12'});

// Mattermost renders plugin components inside its IntlProvider, with the strings the plugin
// registered merged in.
function renderCard(p: Post, onAction = jest.fn().mockResolvedValue(undefined), botUserId: string | null = bot, viewerIsAdmin = false, viewerId: string | null = 'viewer1') {
    const view = render(
        <IntlProvider locale='en' messages={translations.en}>
            <BuildCard post={p} theme={light} botUserId={botUserId} onAction={onAction} viewerIsAdmin={viewerIsAdmin} viewerId={viewerId}/>
        </IntlProvider>,
    );
    return Object.assign(onAction, {container: view.container});
}

describe('BuildCard', () => {
    test('Rebuild with… asks the server for the build\'s form', async () => {
        const onAction = renderCard(post(status('failure', [finished('failure')])));

        await userEvent.click(screen.getByRole('button', {name: 'Rebuild with…'}));

        expect(onAction).toHaveBeenCalledWith('post1', 'rebuildwith');
    });

    test('a build started with parameters shows them', () => {
        renderCard(post(status('building', [row('building')], {params: [{name: 'deploy', value: 'true'}, {name: 'suites', value: 'unit,lint'}]})));

        expect(screen.getByText(/^With/)).toHaveTextContent('With deploy=true, suites=unit,lint');
    });

    test('parameters that are not name and value strings make the card fall back to the message', () => {
        renderCard(post(status('building', [row('building')], {params: [{name: 'deploy', value: true}]})));

        expect(screen.getByText('fallback message')).toBeInTheDocument();
    });

    test('a failed build from a subscription lists its changes and who is mentioned, and no requester', () => {
        renderCard(post(status('failure', [finished('failure')], {
            requested_by: '',
            changes: [{author: 'Alice Liddell <alice@example.com>', revision: '0123456789abcdef', comment: 'fix the widget'}, {author: 'bob'}],
            mentions: ['alice'],
        })));

        const changes = screen.getByRole('region', {name: 'Changes since the last success'});
        expect(changes).toHaveTextContent('0123456789ab Alice Liddell <alice@example.com>: fix the widget');
        expect(changes).toHaveTextContent('bob');
        expect(changes).toHaveTextContent('cc @alice');
        expect(screen.queryByText(/requested by/)).not.toBeInTheDocument();
    });

    test('the bot\'s own status post is drawn as a card', () => {
        renderCard(post(status('failure', [finished('failure')])));

        expect(screen.getByRole('region', {name: 'Build of project-example'})).toBeInTheDocument();
        expect(screen.queryByText('fallback message')).not.toBeInTheDocument();
    });

    test.each([
        ['a post by another user, with a status post\'s props,', 'someoneelse1', bot],
        ['a post by the bot, before the server has named the bot,', bot, null],
    ])('%s shows its message, none of our buttons, and leaves Mattermost\'s buttons alone', (_, author, botUserId) => {
        const running = status('building', [finished('failure'), row('building', {request_id: 8, build_id: 4})]);
        const {container} = renderCard(post(running, 'fallback message', author), jest.fn(), botUserId);

        expect(screen.getByText('fallback message')).toBeInTheDocument();
        expect(screen.queryByRole('region')).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Rebuild'})).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Stop'})).not.toBeInTheDocument();
        expect(container.querySelector('style')).toBeNull();
    });

    test.each([
        ['success', 'Succeeded'], ['warnings', 'Warnings'], ['failure', 'Failed'], ['skipped', 'Skipped'],
        ['exception', 'Exception'], ['cancelled', 'Cancelled'], ['superseded', 'Superseded by a newer request'],
    ])('a finished %s build shows its result, its link and how long it took, and offers Rebuild only', (state, label) => {
        renderCard(post(status(state, [finished(state)])));

        expect(screen.getByRole('img', {name: label})).toBeInTheDocument();
        expect(screen.getByRole('link', {name: 'compile #12'})).toHaveAttribute('href', 'https://ci.example.com/#/builders/1/builds/12');
        expect(screen.getByLabelText('duration')).toHaveTextContent('1m 05s');
        expect(screen.getByRole('button', {name: 'Rebuild'})).toBeEnabled();
        expect(screen.queryByRole('button', {name: 'Stop'})).not.toBeInTheDocument();
    });

    test('a build let go because the plugin now uses another Buildbot says so and offers no buttons', () => {
        renderCard(post(status('unfollowed', [finished('success'), row('unfollowed', {request_id: 8})], {unfollowed: true})));

        expect(screen.getByRole('img', {name: 'No longer followed'})).toBeInTheDocument();
        expect(screen.getByRole('status')).toHaveTextContent('the plugin now uses another Buildbot');
        expect(screen.getByRole('link', {name: 'compile #12'})).toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Rebuild'})).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Stop'})).not.toBeInTheDocument();
    });

    test('a build not finished after seven days says it is no longer followed and offers no buttons', () => {
        renderCard(post(status('expired', [finished('success'), row('expired', {request_id: 8})], {expired: true})));

        expect(screen.getByRole('img', {name: 'No longer followed'})).toBeInTheDocument();
        expect(screen.getByRole('status')).toHaveTextContent('Not finished after 7 days, so no longer followed. Its links still open it in Buildbot.');
        expect(screen.getByRole('link', {name: 'compile #12'})).toBeInTheDocument();
        expect(screen.getByRole('link', {name: 'Open in Buildbot'})).toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Rebuild'})).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Stop'})).not.toBeInTheDocument();
    });

    test.each([
        ['from Mattermost names who stopped it', {stopped_by: 'bob'}, 'Cancelled by @bob'],
        ['in Buildbot gives the reason Buildbot was told', {stop_reason: 'Maintenance window'}, 'Cancelled: Maintenance window'],
        ['by someone who said nothing is just cancelled', {}, 'Cancelled'],
    ])('a build stopped %s', (_, extra, said) => {
        renderCard(post(status('cancelled', [{...finished('cancelled'), ...extra}])));

        expect(screen.getByRole('img', {name: 'Cancelled'})).toBeInTheDocument();
        expect(within(screen.getByRole('listitem')).getByText(said)).toBeInTheDocument();
    });

    test('a build started from a direct message carries its team, which the card accepts and does not show', () => {
        renderCard(post(status('success', [finished('success')], {team_id: 'teamid1'})));

        expect(screen.getByRole('region', {name: 'Build of project-example'})).toBeInTheDocument();
        expect(screen.queryByText(/teamid1/)).not.toBeInTheDocument();
    });

    test('a build of a builder chat may not start offers no Rebuild, and Stop to system admins only', () => {
        renderCard(post(status('failure', [finished('failure'), {...row('building', {request_id: 8, builder: 'deploy'}), unserved: true}])));
        expect(screen.queryByRole('button', {name: 'Rebuild'})).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Rebuild with…'})).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Stop'})).not.toBeInTheDocument();
    });

    test('a system admin may stop a build of a builder chat may not start', () => {
        renderCard(post(status('building', [{...row('building'), unserved: true}])), undefined, bot, true);

        expect(screen.getByRole('button', {name: 'Stop'})).toBeInTheDocument();
    });

    test('a queued build offers Stop and no Rebuild', () => {
        renderCard(post(status('queued', [row('queued')])));

        expect(screen.getByRole('img', {name: 'Queued'})).toBeInTheDocument();
        expect(screen.getByRole('button', {name: 'Stop'})).toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Rebuild'})).not.toBeInTheDocument();
    });

    test('a queued build says where it stands in its builder\'s line, in the panel\'s words, and the wait ticks down', () => {
        jest.useFakeTimers();
        jest.setSystemTime(1765000000000);
        renderCard(post(status('queued', [row('queued', {queue_place: 3, queue_starts_at: 1765000000000 + 4 * 60 * 1000 + 20000})])));

        expect(screen.getByText('3rd for compile · starts in about 4 min')).toBeInTheDocument();
        act(() => jest.advanceTimersByTime(60 * 1000));
        expect(screen.getByText('3rd for compile · starts in about 3 min')).toBeInTheDocument();
        jest.useRealTimers();
    });

    test('a queued build whose start Buildbot cannot tell says so; one without a place says nothing of the line', () => {
        renderCard(post(status('queued', [row('queued', {queue_place: 1, queue_starts_at: 0}), row('queued', {builder: 'lint', request_id: 8})])));

        expect(screen.getByText('1st for compile · start time unknown')).toBeInTheDocument();
        expect(screen.queryByText(/for lint/)).not.toBeInTheDocument();
    });

    test('a queue place that is not a count makes the card fall back to the message', () => {
        renderCard(post(status('queued', [row('queued', {queue_place: '3'})])));

        expect(screen.getByText('fallback message')).toBeInTheDocument();
    });

    test('a running build spins, shows its step progress, and its duration ticks without the server', () => {
        jest.useFakeTimers();
        jest.setSystemTime(130 * 1000);
        renderCard(post(status('building', [row('building', {build_id: 3, number: 12, started_at: 100, step: 'compile', steps_done: 2, steps_total: 5})])));

        expect(screen.getByRole('img', {name: 'Building'})).toHaveClass('buildbot-spinner');
        const bar = screen.getByRole('progressbar', {name: 'Step 3 of 5'});
        expect(bar).toHaveAttribute('aria-valuenow', '2');
        expect(bar).toHaveAttribute('aria-valuemax', '5');
        expect(screen.getByText('Step 3 of 5 · compile')).toBeInTheDocument();
        expect(screen.getByLabelText('duration')).toHaveTextContent('30s');
        act(() => {
            jest.advanceTimersByTime(3000);
        });
        expect(screen.getByLabelText('duration')).toHaveTextContent('33s');
        jest.useRealTimers();
    });

    test('a running build whose step count is unknown names its step without a bar', () => {
        renderCard(post(status('building', [row('building', {build_id: 3, step: 'compile'})])));

        expect(screen.getByText('step compile')).toBeInTheDocument();
        expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    });

    test('a failed build names the step it failed in and links its log', () => {
        renderCard(post(status('failure', [{...finished('failure'), failed_step: 'test', log_url: 'https://ci.example.com/#/builders/1/builds/12/steps/3/logs/stdio'}])));

        expect(screen.getByRole('link', {name: 'test'})).toHaveAttribute('href', 'https://ci.example.com/#/builders/1/builds/12/steps/3/logs/stdio');
        expect(screen.getByText(/failed in/)).toBeInTheDocument();
    });

    const failedWithTests = (tests: unknown) => ({...finished('failure'), failed_step: 'test', tests});
    const counted = {from: 'buildbot', counted: true, passed: 1204, failed: 13, skipped: 12, failing: [
        {name: 'tests/test_a.py::test_parse_empty', since: 'new'},
        {name: 'TestWidthOfUnicode', since: 'already_failing'},
        {name: 'com.acme.FooTest.testBar'},
    ]};

    test('a failed build with counted tests shows the counts, the failed tests marked new or already failing, and how many more', () => {
        renderCard(post(status('failure', [failedWithTests(counted)])));

        const tests = screen.getByRole('region', {name: 'Tests of compile'});
        expect(within(tests).getByText('13 failed').parentElement?.parentElement).toHaveTextContent(/^13 failed · 1,204 passed · 12 skipped$/);
        const items = within(within(tests).getByRole('list', {name: 'Failed tests'})).getAllByRole('listitem');
        expect(items.map((li) => li.textContent)).toEqual([
            'tests/test_a.py::test_parse_empty new',
            'TestWidthOfUnicode already failing',
            'com.acme.FooTest.testBar',
        ]);
        expect(within(items[0] as HTMLElement).getByText('tests/test_a.py::test_parse_empty').tagName).toBe('CODE');
        expect(within(tests).getByText('and 10 more')).toBeInTheDocument();
        expect(within(tests).getByText('from Buildbot\'s test results')).toBeInTheDocument();
        expect(screen.getByText(/failed in/)).toBeInTheDocument();
    });

    test.each([
        ['two named tests', {failing: [{name: 'test_a'}, {name: 'test_b'}]}, '2 tests failed', null],
        ['one named test', {failed: 1, failing: [{name: 'test_a'}]}, '1 test failed', null],
        ['more named tests than the log counted', {failed: 1, failing: [{name: 'test_a'}, {name: 'test_b'}]}, '2 tests failed', null],
        ['more failed tests than named', {failed: 12, failing: [{name: 'test_a'}]}, '12 tests failed', 'and 11 more'],
        ['one more failed test than named', {failed: 2, failing: [{name: 'test_a'}]}, '2 tests failed', 'and 1 more'],
    ])('tests read from a log without its summary, %s, say how many failed and nothing of passed', (_, tests, said, more) => {
        renderCard(post(status('failure', [failedWithTests({from: 'go test', ...tests})])));

        const region = screen.getByRole('region', {name: 'Tests of compile'});
        expect(within(region).getByText(said)).toBeInTheDocument();
        expect(region).not.toHaveTextContent(/passed|skipped/);
        expect(within(region).getByText('from the go test output')).toBeInTheDocument();
        if (more) {
            expect(within(region).getByText(more)).toBeInTheDocument();
        } else {
            expect(region).not.toHaveTextContent(/more/);
        }
    });

    test('a successful build with counted tests says how many passed, and lists none', () => {
        renderCard(post(status('success', [{...finished('success'), tests: {from: 'pytest', counted: true, passed: 1204}}])));

        const region = screen.getByRole('region', {name: 'Tests of compile'});
        expect(within(region).getByText('1,204 passed')).toBeInTheDocument();
        expect(region).not.toHaveTextContent(/failed|skipped|more/);
        expect(within(region).queryByRole('list')).not.toBeInTheDocument();
        expect(within(region).getByText('from the pytest output')).toBeInTheDocument();
    });

    test('a running build shows no tests, even when the post carries some', () => {
        renderCard(post(status('building', [row('building', {build_id: 3, step: 'compile', tests: counted})])));

        expect(screen.getByText('step compile')).toBeInTheDocument();
        expect(screen.queryByRole('region', {name: 'Tests of compile'})).not.toBeInTheDocument();
        expect(screen.queryByText(/failed|passed/)).not.toBeInTheDocument();
        expect(screen.queryByText('tests/test_a.py::test_parse_empty')).not.toBeInTheDocument();
    });

    test('tests in German', () => {
        render(
            <IntlProvider locale='de' messages={translations.de}>
                <BuildCard post={post(status('failure', [failedWithTests({...counted, failed: 4})]))} theme={light} botUserId={bot} onAction={jest.fn()}/>
            </IntlProvider>,
        );

        const tests = screen.getByRole('region', {name: 'Tests von compile'});
        expect(tests).toHaveTextContent('4 fehlgeschlagen · 1.204 bestanden · 12 übersprungen');
        expect(tests).toHaveTextContent('TestWidthOfUnicode schon vorher fehlgeschlagen');
        expect(within(tests).getByText('und 1 weiterer')).toBeInTheDocument();
        expect(within(tests).getByText('aus den Testergebnissen in Buildbot')).toBeInTheDocument();
    });

    test.each([
        ['are not an object', 'many'],
        ['do not say where they came from', {counted: true, failed: 1}],
        ['came from nowhere', {from: '', failed: 1}],
        ['are counted with a word', {from: 'pytest', counted: 'yes', failed: 1}],
        ['count failures that are not a whole number', {from: 'pytest', failed: 1.5}],
        ['count negative passes', {from: 'pytest', counted: true, passed: -1}],
        ['count skips as text', {from: 'pytest', counted: true, skipped: '12'}],
        ['name failed tests that are not a list', {from: 'pytest', failing: 'test_a'}],
        ['name a failed test without a name', {from: 'pytest', failing: [{since: 'new'}]}],
        ['name a failed test by a number', {from: 'pytest', failing: [{name: 42}]}],
        ['mark a failed test with an unknown since', {from: 'pytest', failing: [{name: 'test_a', since: 'yesterday'}]}],
    ])('a failed build whose tests %s falls back to the post message, like any field the card cannot read', (_, tests) => {
        renderCard(post(status('failure', [failedWithTests(tests)])));

        expect(screen.getByText('fallback message')).toBeInTheDocument();
        expect(screen.queryByRole('region')).not.toBeInTheDocument();
    });

    test('a build without tests, or with null for them, shows no tests', () => {
        renderCard(post(status('failure', [failedWithTests(null), {...finished('failure'), request_id: 8, builder: 'lint'}])));

        expect(screen.getByRole('region', {name: 'Build of project-example'})).toBeInTheDocument();
        expect(screen.queryByRole('region', {name: /^Tests of/})).not.toBeInTheDocument();
    });

    // The first failed build finished an hour and five minutes before the row's.
    const completeAt = 1796450000;
    const broken = {number: 2, url: 'https://ci.example.com/#/builders/1/builds/2', at: completeAt - 3900, failures: 2, revision: 'abc123456789abcdef', author: 'bob'};
    const brokenRow = (state: string, brokenSince: unknown) => ({...finished(state), started_at: completeAt - 65, complete_at: completeAt, broken_since: brokenSince});

    test('a failed build after failed ones says since which build, how many and how long, and what first failed by whom', () => {
        renderCard(post(status('failure', [brokenRow('failure', broken)])));

        const item = screen.getByRole('listitem');
        const link = within(item).getByRole('link', {name: '#2'});
        expect(link).toHaveAttribute('href', 'https://ci.example.com/#/builders/1/builds/2');
        expect(link).toHaveAttribute('target', '_blank');
        expect(link).toHaveAttribute('rel', 'noopener noreferrer');
        expect(within(item).getByText(/^Failing since/)).toHaveTextContent(/^Failing since #2, 2 builds before this one, for 1h 05m$/);
        expect(within(item).getByText(/^first failed with/)).toHaveTextContent(/^first failed with abc123456789 by @bob$/);
        expect(within(item).getByText('abc123456789')).toHaveAttribute('title', 'abc123456789abcdef');
        expect(within(item).queryByRole('link', {name: /bob/})).not.toBeInTheDocument();
        expect(item).not.toHaveTextContent(/Fixed after/);
    });

    test.each([
        ['one failure, no time, no revision and no author', {number: 2, url: broken.url, at: 0, failures: 1}, 'Failing since #2, 1 build before this one', null],
        ['a revision but no author', {...broken, author: undefined, at: undefined}, 'Failing since #2, 2 builds before this one', 'first failed with abc123456789'],
        ['an author but no revision', {...broken, revision: null}, 'Failing since #2, 2 builds before this one, for 1h 05m', 'first failed with a change by @bob'],
    ])('a failed build after failed ones with %s leaves out what it does not know', (_, brokenSince, since, first) => {
        renderCard(post(status('failure', [brokenRow('failure', brokenSince)])));

        const item = screen.getByRole('listitem');
        expect(within(item).getByText(/^Failing since/).textContent).toBe(since);
        if (first) {
            expect(within(item).getByText(/^first failed/).textContent).toBe(first);
        } else {
            expect(item).not.toHaveTextContent(/first failed|for \d/);
        }
    });

    test.each([['success'], ['warnings']])('a %s build after failed ones says it fixed them, after how many, since which build and how long', (state) => {
        renderCard(post(status(state, [brokenRow(state, broken)])));

        const item = screen.getByRole('listitem');
        expect(within(item).getByText(/^Fixed after/).textContent).toBe('Fixed after 2 failed builds since #2 (1h 05m)');
        expect(within(item).getByRole('link', {name: '#2'})).toHaveAttribute('href', 'https://ci.example.com/#/builders/1/builds/2');
        expect(item).not.toHaveTextContent(/Failing since|first failed|bob/);
    });

    test('a fixed build after a single failure at an unknown time says so in the singular, without a time', () => {
        renderCard(post(status('success', [brokenRow('success', {...broken, failures: 1, at: 0})])));

        expect(screen.getByText(/^Fixed after/).textContent).toBe('Fixed after 1 failed build since #2');
    });

    test.each([
        ['a failed build without it', [finished('failure')]],
        ['a successful build without it', [finished('success')]],
        ['a build with null for it', [brokenRow('failure', null)]],
        ['a cancelled build, which the server gives none', [brokenRow('cancelled', broken)]],
        ['a running build', [{...row('building', {build_id: 3, number: 12, started_at: 100}), broken_since: broken}]],
    ])('%s says nothing of failing since or fixed after', (_, rows) => {
        renderCard(post(status('failure', rows)));

        expect(screen.getByRole('region', {name: 'Build of project-example'})).toBeInTheDocument();
        expect(screen.queryByText(/Failing since|Fixed after|first failed/)).not.toBeInTheDocument();
        expect(screen.queryByRole('link', {name: '#2'})).not.toBeInTheDocument();
    });

    test('failing since and fixed after in German', () => {
        render(
            <IntlProvider locale='de' messages={translations.de}>
                <BuildCard post={post(status('failure', [brokenRow('failure', broken), {...brokenRow('success', {...broken, failures: 1}), request_id: 8, builder: 'lint'}]))} theme={light} botUserId={bot} onAction={jest.fn()}/>
            </IntlProvider>,
        );

        expect(screen.getByText(/^Fehlgeschlagen seit/).textContent).toBe('Fehlgeschlagen seit #2, 2 Builds vor diesem, seit 1h 05m');
        expect(screen.getByText(/^zuerst fehlgeschlagen/).textContent).toBe('zuerst fehlgeschlagen mit abc123456789 von @bob');
        expect(screen.getByText(/^Behoben nach/).textContent).toBe('Behoben nach 1 fehlgeschlagenen Build seit #2 (1h 05m)');
    });

    test.each([
        ['is not an object', 'since #2'],
        ['has no number', {...broken, number: undefined}],
        ['numbers the build with text', {...broken, number: '2'}],
        ['links it with javascript', {...broken, url: 'javascript:alert(1)'}],
        ['has no link', {...broken, url: undefined}],
        ['counts failures that are not a whole number', {...broken, failures: 1.5}],
        ['has no failure count', {...broken, failures: undefined}],
        ['dates it with text', {...broken, at: 'yesterday'}],
        ['gives the revision as a number', {...broken, revision: 123}],
        ['names the author with a list', {...broken, author: ['bob']}],
    ])('a failed build whose broken_since %s falls back to the post message, like any field the card cannot read', (_, brokenSince) => {
        renderCard(post(status('failure', [brokenRow('failure', brokenSince)])));

        expect(screen.getByText('fallback message')).toBeInTheDocument();
        expect(screen.queryByRole('region')).not.toBeInTheDocument();
    });

    test('the card hides the copy of its buttons Mattermost draws from the attachment, and only its own post\'s', () => {
        const {container} = renderCard(post(status('failure', [finished('failure')])));

        expect(container.querySelector('style')?.textContent).toContain('#messageAttachmentList_post1{display:none}');
    });

    test('a card that falls back to the message leaves Mattermost\'s buttons alone', () => {
        const {container} = renderCard(post(undefined));

        expect(container.querySelector('style')).toBeNull();
    });

    test('an unreachable Buildbot is said', () => {
        renderCard(post(status('building', [row('building')], {unreachable_since: 1700000000000})));

        expect(screen.getByRole('status')).toHaveTextContent('Buildbot unreachable since');
    });

    test('the full revision is on hover and a button copies it', async () => {
        const writeText = jest.fn().mockResolvedValue(undefined);
        Object.defineProperty(navigator, 'clipboard', {value: {writeText}, configurable: true});
        renderCard(post(status('success', [finished('success')])));

        expect(screen.getByText('0123456789ab')).toHaveAttribute('title', '0123456789abcdef');
        await userEvent.click(screen.getByRole('button', {name: 'Copy revision 0123456789abcdef'}));

        expect(writeText).toHaveBeenCalledWith('0123456789abcdef');
        expect(screen.getByRole('button', {name: 'Copy revision 0123456789abcdef'})).toHaveTextContent('Copied');
    });

    test.each([
        ['a step count that is not a whole number', {steps_total: 2.5}],
        ['a log link that is not http', {log_url: 'javascript:alert(1)'}],
        ['a step that is not text', {step: 3}],
        ['a stopper that is not text', {stopped_by: ['bob']}],
        ['a stop reason that is not text', {stop_reason: 5}],
        ['unserved that is not yes or no', {unserved: 'yes'}],
    ])('%s falls back to the post message', (_, extra) => {
        renderCard(post(status('building', [row('building', {build_id: 3, ...extra})])));

        expect(screen.getByText('fallback message')).toBeInTheDocument();
    });

    test.each([
        ['no props', undefined],
        ['another version', {...status('success', []), version: 2}],
        ['an unknown state', status('exploded', [])],
        ['a row without a builder', status('success', [{...finished('success'), builder: 5}])],
        ['a link that is not http', status('success', [{...finished('success'), url: 'javascript:alert(1)'}])],
        ['an expiry that is not a boolean', status('expired', [finished('success')], {expired: 'yes'})],
        ['a team that is not text', status('success', [finished('success')], {team_id: 42})],
        ['changes that are not a list', status('failure', [finished('failure')], {changes: 'many'})],
        ['a change without an author', status('failure', [finished('failure')], {changes: [{revision: 'abc'}]})],
        ['mentions that are not names', status('failure', [finished('failure')], {changes: [], mentions: [1]})],
    ])('%s falls back to the post message', (_, props) => {
        renderCard(post(props as Record<string, unknown> | undefined));

        expect(screen.getByText('fallback message')).toBeInTheDocument();
        expect(screen.queryByRole('button')).not.toBeInTheDocument();
    });

    test('Stop goes through the post action, shows it is pending, and can be clicked once at a time', async () => {
        let finish: () => void = () => undefined;
        const onAction = jest.fn(() => new Promise<void>((resolve) => {
            finish = resolve;
        }));
        renderCard(post(status('building', [row('building', {build_id: 3})])), onAction);

        await userEvent.click(screen.getByRole('button', {name: 'Stop'}));

        expect(onAction).toHaveBeenCalledWith('post1', 'stop');
        expect(screen.getByRole('button', {name: 'Stopping…'})).toBeDisabled();
        await act(async () => finish());
        expect(screen.getByRole('button', {name: 'Stop'})).toBeEnabled();
    });

    test('Notify me asks for a direct message at the end; the card says how many wait and whether the viewer does', async () => {
        const running = post(status('building', [row('building', {build_id: 3})]));
        const onAction = renderCard(running);

        await userEvent.click(screen.getByRole('button', {name: 'Notify me'}));

        expect(onAction).toHaveBeenCalledWith('post1', 'notify');
        expect(screen.getByRole('button', {name: 'Notify me'})).toHaveAttribute('aria-pressed', 'false');
        expect(screen.queryByText(/wait/)).not.toBeInTheDocument();
    });

    test.each([
        ['the viewer and another wait', ['viewer1', 'other1'], 'Notifying you', 'true', '2 people wait for its end'],
        ['another waits', ['other1'], 'Notify me', 'false', '1 person waits for its end'],
    ])('%s', (_, waiting, label, pressed, count) => {
        const running = post(status('queued', [row('queued')]));
        running.props.buildbot_waiting = waiting;
        renderCard(running);

        expect(screen.getByRole('button', {name: label})).toHaveAttribute('aria-pressed', pressed);
        expect(screen.getByText(count)).toBeInTheDocument();
    });

    test('a finished build offers no Notify me, and a malformed waiting list counts nobody', () => {
        const done = post(status('failure', [finished('failure')]));
        done.props.buildbot_waiting = ['viewer1'];
        renderCard(done);
        expect(screen.queryByRole('button', {name: /Notify/})).not.toBeInTheDocument();

        const odd = post(status('building', [row('building')]));
        odd.props.buildbot_waiting = [1, 2];
        renderCard(odd);
        expect(screen.getByRole('button', {name: 'Notify me'})).toHaveAttribute('aria-pressed', 'false');
    });

    test('the buttons work from the keyboard', async () => {
        const onAction = renderCard(post(status('failure', [finished('failure')])));

        await userEvent.tab();
        await userEvent.tab();
        await userEvent.tab();
        expect(screen.getByRole('button', {name: 'Rebuild'})).toHaveFocus();
        await userEvent.keyboard('{Enter}');

        expect(onAction).toHaveBeenCalledWith('post1', 'rebuild');
    });

    test('a refused click shows the server\'s words', async () => {
        const onAction = jest.fn().mockRejectedValue(new Error('Only system admins may start or stop builds here.'));
        renderCard(post(status('failure', [finished('failure')])), onAction);

        await userEvent.click(screen.getByRole('button', {name: 'Rebuild'}));

        expect(await screen.findByRole('alert')).toHaveTextContent('Only system admins may start or stop builds here.');
    });

    test('a refused click shows the server\'s words as plain text, without the escapes meant for a chat post', async () => {
        const answer = 'Not rebuilt: \\[x\\] @\u2060channel deploy, see https:\u2060//ci.example.com and www\u2060.example.com \\\\o/';
        renderCard(post(status('failure', [finished('failure')])), jest.fn().mockRejectedValue(new Error(answer)));

        await userEvent.click(screen.getByRole('button', {name: 'Rebuild'}));

        expect((await screen.findByRole('alert')).textContent).toBe('Not rebuilt: [x] @channel deploy, see https://ci.example.com and www.example.com \\o/');
    });
});
