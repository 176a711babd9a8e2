import {act, render, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {IntlProvider} from 'react-intl';

import {PluginRefusal} from '../../client';
import {panelController} from '../../panel/controller';
import {panelSource, redCountRead} from '../../panel/reducer';
import {fakeClient, MINUTE, queued, running, someBuilds, someSubscriptions, testStore, type FakeClient} from '../../tests/panel_fakes';
import {translations} from '../../translations';
import type {PluginRegistry} from '../../types/registry';

import {HeaderIcon} from './header_icon';
import {BuildsPanel} from './panel';
import {iconWithCount, registerPanel} from './register';

const where = {channelId: 'c1', teamId: 't1'};

function drawPanel(client: FakeClient = fakeClient(), locale = 'en', store = testStore()) {
    const controller = panelController(client, store);
    controller.start();
    const view = render(
        <IntlProvider locale={locale} messages={translations[locale]}>
            <BuildsPanel controller={controller} source={panelSource(store)}/>
        </IntlProvider>,
    );
    return {client, store, controller, view};
}

const panel = () => screen.getByRole('region', {name: 'Buildbot builds'});
const section = (name: string) => screen.getByRole('region', {name});

test('the panel says it is asking Buildbot until the answers come', async () => {
    const client = fakeClient();
    client.builds.mockReturnValue(new Promise(() => undefined));
    drawPanel(client);

    expect(within(panel()).getByRole('status')).toHaveTextContent('Asking Buildbot…');
    await act(async () => undefined);
});

test('running and waiting builds are listed by repo, with their step, who started them, their links and place in line', async () => {
    drawPanel();

    const runningAndWaiting = await screen.findByRole('region', {name: 'Running and waiting'});
    expect(within(runningAndWaiting).getByRole('heading', {name: 'webapp'})).toBeInTheDocument();
    expect(within(runningAndWaiting).getByRole('heading', {name: 'Other builders'})).toBeInTheDocument();

    const build = within(runningAndWaiting).getByRole('listitem', {name: 'webapp-linux #5'});
    expect(within(build).getByRole('link', {name: 'webapp-linux #5'})).toHaveAttribute('href', 'https://ci.example.com/#/builders/3/builds/5');
    expect(within(build).getByText('compile')).toBeInTheDocument();
    expect(within(build).getByLabelText('duration')).toHaveTextContent(/^1m 0\ds$/);
    expect(within(build).getByText('by alice')).toBeInTheDocument();
    expect(within(build).getByText('main')).toBeInTheDocument();
    expect(within(build).getByRole('link', {name: 'Status post'})).toHaveAttribute('href', 'https://chat.example.com/_redirect/pl/post1');
    expect(within(build).getByRole('button', {name: 'Stop'})).toBeInTheDocument();

    const waiting = within(runningAndWaiting).getByRole('listitem', {name: 'webapp-linux, queued'});
    expect(within(waiting).getByText('3rd for webapp-linux · starts in about 4 min')).toBeInTheDocument();
    expect(within(waiting).queryByRole('button', {name: 'Stop'})).not.toBeInTheDocument();
    expect(within(waiting).queryByRole('link', {name: 'Status post'})).not.toBeInTheDocument();
});

test('a queued build reads in German as German counts places', async () => {
    drawPanel(fakeClient(), 'de');

    expect(await screen.findByText('3. für webapp-linux · beginnt in etwa 4 Min.')).toBeInTheDocument();
    expect(screen.getByRole('region', {name: 'Laufend und wartend'})).toBeInTheDocument();
});

test('red builders say since when they fail, their first failed build and the change it failed with, as plain text', async () => {
    drawPanel();

    const red = within(await screen.findByRole('region', {name: 'Red'})).getByRole('listitem', {name: 'webapp-windows'});
    expect(within(red).getByText('Failing for 3 hours, 2 failed builds')).toBeInTheDocument();
    expect(within(red).getByText('followed here')).toBeInTheDocument();
    expect(within(red).getByRole('link', {name: '#17'})).toHaveAttribute('href', 'https://ci.example.com/#/builders/4/builds/17');
    expect(within(red).getByTitle('abc1234def5678901')).toHaveTextContent('abc1234def56');
    expect(within(red).getByText('by Alice')).toBeInTheDocument();
    expect(within(red).getByText('<b>Speed up</b> the build')).toBeInTheDocument();
    expect(red.querySelector('b')).toBeNull();
});

test('the empty sections say so', async () => {
    drawPanel(fakeClient({builds: someBuilds({repos: [{repo: 'webapp', builds: []}], red: []}), subscriptions: someSubscriptions({subscriptions: []})}));

    expect(await screen.findByText('Nothing runs or waits on Buildbot.')).toBeInTheDocument();
    expect(screen.getByText('No builder is red.')).toBeInTheDocument();
    expect(screen.getByText('No build of yours to show.')).toBeInTheDocument();
    expect(screen.getByText('This channel has no subscriptions.')).toBeInTheDocument();
});

test('the viewer\'s own builds show their state, repo, branch, builders and status post', async () => {
    drawPanel(fakeClient({mine: [{postUrl: 'https://chat.example.com/_redirect/pl/post2', repo: 'api', branch: 'main', state: 'failure', at: 1,
        builders: [{builder: 'api-linux', number: 7, state: 'failure'}, {builder: 'api-docs', number: 0, state: 'queued'}]}]}));

    const mine = await screen.findByRole('region', {name: 'Mine'});
    expect(within(mine).getByRole('img', {name: 'Failed'})).toBeInTheDocument();
    expect(within(mine).getByText('api-linux #7, api-docs')).toBeInTheDocument();
    expect(within(mine).getByRole('link', {name: 'Status post'})).toHaveAttribute('href', 'https://chat.example.com/_redirect/pl/post2');
});

test('a refusal of the builds shows the server\'s words instead of every section', async () => {
    const client = fakeClient();
    client.builds.mockRejectedValue(new PluginRefusal('Buildbot is not allowed in this channel.'));
    drawPanel(client);

    expect(await within(panel()).findByRole('alert')).toHaveTextContent('Buildbot is not allowed in this channel.');
    expect(screen.queryByRole('region', {name: 'Running and waiting'})).not.toBeInTheDocument();
    expect(screen.queryByRole('region', {name: 'This channel'})).not.toBeInTheDocument();
});

test('a failure without the server\'s words says the plugin did not answer', async () => {
    const client = fakeClient();
    client.builds.mockRejectedValue(new Error('HTTP 502'));
    drawPanel(client);

    expect(await screen.findByRole('alert')).toHaveTextContent('The plugin did not answer; try again later.');
});

test('Stop asks the server to stop that build and shows what it said', async () => {
    const client = fakeClient({builds: someBuilds({repos: [{repo: 'webapp', builds: [running(), queued({mayStop: true})]}]})});
    client.stop.mockResolvedValueOnce('Stopping webapp-linux #5.').mockRejectedValueOnce(new PluginRefusal('Only alice may stop this build.'));
    drawPanel(client);

    const build = await screen.findByRole('listitem', {name: 'webapp-linux #5'});
    await userEvent.click(within(build).getByRole('button', {name: 'Stop'}));
    expect(client.stop).toHaveBeenCalledWith(where, {buildId: 12});
    expect(await within(build).findByRole('status')).toHaveTextContent('Stopping webapp-linux #5.');

    const waiting = screen.getByRole('listitem', {name: 'webapp-linux, queued'});
    await userEvent.click(within(waiting).getByRole('button', {name: 'Stop'}));
    expect(client.stop).toHaveBeenLastCalledWith(where, {requestId: 45});
    expect(await within(waiting).findByRole('alert')).toHaveTextContent('Only alice may stop this build.');
});

test('the channel\'s subscriptions show their repo, branch and events, the default branch by name', async () => {
    drawPanel();

    const channel = await screen.findByRole('region', {name: 'This channel'});
    const webapp = within(channel).getByRole('listitem', {name: 'webapp on default branch'});
    expect(within(webapp).getByText('finished')).toBeInTheDocument();
    expect(within(webapp).getByText('added by @alice')).toBeInTheDocument();
    expect(within(channel).getByRole('listitem', {name: 'api on release/*'})).toHaveTextContent('failure, fixed');
});

test('the form sends the repo, the branch and the events ticked, in the server\'s order, and shows its answer', async () => {
    const {client} = drawPanel();
    client.subscribe.mockResolvedValue('This channel now hears of api on main: started, finished.');

    const form = await screen.findByRole('form', {name: 'Subscribe this channel'});
    expect(within(form).getByRole('checkbox', {name: 'finished'})).toBeChecked();
    expect(within(form).getByRole('checkbox', {name: 'started'})).not.toBeChecked();
    expect(within(form).getByRole('checkbox', {name: 'started'})).toHaveAccessibleDescription('when a build starts; its card follows it to the end');

    await userEvent.type(within(form).getByRole('combobox', {name: 'Repo'}), 'api');
    await userEvent.type(within(form).getByRole('combobox', {name: 'Branch'}), 'main');
    await userEvent.click(within(form).getByRole('checkbox', {name: 'started'}));
    await userEvent.click(within(form).getByRole('button', {name: 'Save'}));

    expect(client.subscribe).toHaveBeenCalledWith(where, {repo: 'api', branch: 'main', events: ['started', 'finished']});
    expect(await within(form).findByRole('status')).toHaveTextContent('This channel now hears of api on main: started, finished.');
    expect(client.subscriptions).toHaveBeenCalledTimes(2);
});

test('the form offers the repos, and the branches of the repo typed', async () => {
    const {client, view} = drawPanel();

    const form = await screen.findByRole('form', {name: 'Subscribe this channel'});
    const options = (input: HTMLElement) => [...(view.container.querySelector(`datalist#${CSS.escape(input.getAttribute('list') ?? '')}`)?.querySelectorAll('option') ?? [])]
        .map((o) => o.value);
    expect(options(within(form).getByRole('combobox', {name: 'Repo'}))).toEqual(['webapp', 'api']);

    await userEvent.type(within(form).getByRole('combobox', {name: 'Repo'}), 'webapp');
    await waitFor(() => expect(options(within(form).getByRole('combobox', {name: 'Branch'}))).toEqual(['main', 'release/1.2']));
    expect(client.branches).toHaveBeenCalledTimes(1);
    expect(client.branches).toHaveBeenCalledWith(where, 'webapp');
});

test('the server\'s refusal of a subscription is shown in its words', async () => {
    const {client} = drawPanel();
    client.subscribe.mockRejectedValue(new PluginRefusal('There is no repo wepapp. Did you mean webapp?'));

    const form = await screen.findByRole('form', {name: 'Subscribe this channel'});
    await userEvent.type(within(form).getByRole('combobox', {name: 'Repo'}), 'wepapp');
    await userEvent.click(within(form).getByRole('button', {name: 'Save'}));

    expect(await within(form).findByRole('alert')).toHaveTextContent('There is no repo wepapp. Did you mean webapp?');
});

test('Remove sends the subscription\'s repo and branch', async () => {
    const {client} = drawPanel();
    client.unsubscribe.mockResolvedValue('This channel no longer hears of webapp.');

    const webapp = await screen.findByRole('listitem', {name: 'webapp on default branch'});
    await userEvent.click(within(webapp).getByRole('button', {name: 'Remove'}));

    expect(client.unsubscribe).toHaveBeenCalledWith(where, {repo: 'webapp', branch: ''});
    expect(await within(section('This channel')).findByRole('status')).toHaveTextContent('This channel no longer hears of webapp.');
});

test('who may not change the subscriptions reads why, with no form and no Remove', async () => {
    drawPanel(fakeClient({subscriptions: someSubscriptions({mayEdit: false, refusal: 'Only channel admins may subscribe this channel.'})}));

    const channel = await screen.findByRole('region', {name: 'This channel'});
    expect(within(channel).getByText('Only channel admins may subscribe this channel.')).toBeInTheDocument();
    expect(within(channel).queryByRole('form')).not.toBeInTheDocument();
    expect(within(channel).queryByRole('button', {name: 'Remove'})).not.toBeInTheDocument();
});

test('the panel is open while drawn, and the builds event re-reads it only then', async () => {
    const {client, store, controller, view} = drawPanel();
    await screen.findByRole('region', {name: 'Running and waiting'});
    expect(client.builds).toHaveBeenCalledTimes(1);

    await act(async () => controller.buildsChanged({at: 1000, buildbot: true, builds: true, posts: false}));
    expect(client.builds).toHaveBeenLastCalledWith(where, 1000);

    view.unmount();
    expect(store.getState()).toMatchObject({'plugins-buildbot': {open: false}});
    await act(async () => controller.buildsChanged({at: 2000, buildbot: true, builds: true, posts: false}));
    expect(client.builds).toHaveBeenCalledTimes(2);
});

describe('the header icon', () => {
    function drawIcon(redCount: number) {
        const store = testStore();
        const controller = panelController(fakeClient({redCount}), store);
        controller.start();
        render(
            <IntlProvider locale='en' messages={translations.en}>
                <HeaderIcon source={panelSource(store)} iconUrl='data:image/svg+xml;base64,PHN2Zy8+'/>
            </IntlProvider>,
        );
    }

    test('counts the red builders the channel\'s subscriptions cover', async () => {
        drawIcon(2);

        expect(await screen.findByRole('img', {name: '2 red builders'})).toHaveTextContent('2');
        expect(screen.getByRole('img', {name: 'Buildbot builds'})).toHaveAttribute('src', 'data:image/svg+xml;base64,PHN2Zy8+');
    });

    test('shows no badge when none is red', async () => {
        drawIcon(0);
        await act(async () => undefined);

        expect(screen.queryByRole('img', {name: /red builder/})).not.toBeInTheDocument();
    });
});

test('the elapsed time of a running build ticks', async () => {
    jest.useFakeTimers();
    try {
        drawPanel(fakeClient({builds: someBuilds({repos: [{repo: 'webapp', builds: [running({startedAt: Date.now() - 2 * MINUTE})]}]})}));
        await act(async () => undefined);
        const duration = within(screen.getByRole('listitem', {name: 'webapp-linux #5'})).getByLabelText('duration');
        expect(duration).toHaveTextContent('2m 00s');

        act(() => jest.advanceTimersByTime(3000));

        expect(duration).toHaveTextContent('2m 03s');
    } finally {
        jest.useRealTimers();
    }
});

describe('the App Bar icon', () => {
    test('is drawn anew with the count in it when the channel\'s red count changes, and only then', () => {
        const store = testStore();
        let registered = 0;
        const registry = {
            registerReducer: jest.fn(),
            registerWebSocketEventHandler: jest.fn(),
            registerRightHandSidebarComponent: jest.fn(() => ({id: 'rhs', showRHSPlugin: {type: 's'}, hideRHSPlugin: {type: 'h'}, toggleRHSPlugin: {type: 't'}})),
            registerChannelHeaderButtonAction: jest.fn(),
            registerAppBarComponent: jest.fn<string, [string, () => void, string]>(() => `appbar${++registered}`),
            unregisterComponent: jest.fn(),
        };
        window.fetch = jest.fn<Promise<Response>, Parameters<typeof fetch>>(() => new Promise(() => undefined));
        registerPanel(registry as unknown as PluginRegistry, store, 'https://chat.example.com');
        expect(registry.registerAppBarComponent).toHaveBeenCalledTimes(1);
        expect(registry.registerAppBarComponent.mock.calls[0]?.[0]).toBe('data:image/svg+xml;base64,PHN2Zy8+');

        act(() => {
            store.dispatch(redCountRead('c1', 3));
        });
        expect(registry.unregisterComponent).toHaveBeenCalledWith('appbar1');
        expect(registry.registerAppBarComponent).toHaveBeenCalledTimes(2);
        expect(decodeURIComponent(registry.registerAppBarComponent.mock.calls[1]?.[0] ?? '')).toMatch(/<text[^>]*>3<\/text>/);

        act(() => {
            store.dispatch(redCountRead('c1', 3));
        });
        expect(registry.registerAppBarComponent).toHaveBeenCalledTimes(2);
    });

    test('says 99+ past 99', () => {
        expect(decodeURIComponent(iconWithCount('icon.svg', 120))).toMatch(/>99\+<\/text>/);
    });
});
