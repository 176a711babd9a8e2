import {act, render, screen, within} from '@testing-library/react';
import type {Post} from '@mattermost/types/posts';
import {IntlProvider} from 'react-intl';

import type {BuildStatus} from '../../build_status';
import {parseBuildStatus} from '../../build_status';
import type {PostSource} from '../../previews';
import {previewSignals} from '../../previews';
import {translations} from '../../translations';
import type {Theme} from '../../types/theme';

import {BACKSTOP_MS, LinkPreviews} from './link_previews';

const light: Theme = {
    centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff',
    onlineIndicator: '#06d6a0', awayIndicator: '#ffbc1f', dndIndicator: '#d24b4e', errorTextColor: '#d24b4e',
};

const link = 'https://ci.example.com/#/builders/3/builds/12';

// status is a link's state as the route gives it, parsed as the client parses it.
function status(state: string, builderId = 3): BuildStatus {
    const done = state !== 'building';
    const parsed = parseBuildStatus({buildbot_build: {version: 1, state, repo: 'tools', branch: 'main', requested_by: '', buildbot_url: link,
        rows: [{builder: 'tools', builder_id: builderId, request_id: 41, build_id: 90, number: 12, state, url: link, started_at: 100,
            ...(done ? {complete_at: 160} : {step: 'compile', steps_done: 1})}]}});
    if (!parsed) {
        throw new Error('a status the card cannot read');
    }
    return parsed;
}

function message(links: string[] | null, id = 'post1'): Post {
    const props = links ? {buildbot_previews: {version: 1, links}, attachments: [{title: 'tools #12'}]} : {};
    return {id, channel_id: 'channel1', user_id: 'alice', message: `see ${links?.join(' ') ?? ''}`, props} as unknown as Post;
}

// store holds posts as Mattermost's store does, and tells its readers when one changes.
function store(...posts: Post[]): PostSource & {put: (p: Post) => void} {
    const byId = new Map(posts.map((p) => [p.id, p]));
    const listeners = new Set<() => void>();
    return {
        get: (id) => byId.get(id),
        subscribe: (listener) => {
            listeners.add(listener);
            return () => listeners.delete(listener);
        },
        put: (p) => {
            byId.set(p.id, p);
            listeners.forEach((l) => l());
        },
    };
}

function draw(posts: PostSource, read: jest.Mock<Promise<BuildStatus[]>, [string, number?]>, signals = previewSignals()) {
    render(
        <IntlProvider locale='en' messages={translations.en}>
            <p>{'see the link'}</p>
            <LinkPreviews postId='post1' theme={light} posts={posts} read={read} signals={signals}/>
        </IntlProvider>,
    );
    return signals;
}

const answering = (...answers: BuildStatus[][]) => {
    const read = jest.fn<Promise<BuildStatus[]>, [string, number?]>();
    for (const a of answers) {
        read.mockResolvedValueOnce(a);
    }
    return read;
};

describe('LinkPreviews', () => {
    test('a previewed message shows the live card of its link, and hides the attachment other clients show', async () => {
        const read = answering([status('building')]);

        draw(store(message([link])), read);

        const previews = await screen.findByRole('group', {name: 'Buildbot links in this message'});
        const card = within(previews).getByRole('region', {name: 'Build of tools'});
        expect(within(card).getAllByText('Building').length).toBeGreaterThan(0);
        expect(within(card).getByRole('link', {name: 'tools #12'})).toHaveAttribute('href', link);
        expect(within(card).getByRole('link', {name: 'Open in Buildbot'})).toHaveAttribute('href', link);
        // A pasted link is not the bot's post: no button acts on it.
        expect(within(card).queryByRole('button', {name: 'Stop'})).not.toBeInTheDocument();
        expect(document.querySelector('style')?.textContent).toContain('#messageAttachmentList_post1{display:none}');
        expect(read).toHaveBeenCalledWith('post1', undefined);
    });

    test('a message without previews draws nothing and reads nothing', () => {
        const read = answering();

        draw(store(message(null)), read);

        expect(screen.queryByRole('group')).not.toBeInTheDocument();
        expect(read).not.toHaveBeenCalled();
    });

    test('an event for its channel and builder reads again, after the event, and the card shows the result', async () => {
        const read = answering([status('building')], [status('success')]);
        const signals = draw(store(message([link])), read);
        await screen.findByRole('region', {name: 'Build of tools'});

        await act(async () => signals.emit({channelId: 'channel1', builderIds: [3], at: 1700000000123}));

        expect(read).toHaveBeenLastCalledWith('post1', 1700000000123);
        expect(await screen.findAllByText('Succeeded')).not.toHaveLength(0);
        expect(screen.queryByText('Building')).not.toBeInTheDocument();
    });

    test('events for another channel or other builders read nothing', async () => {
        const read = answering([status('building')]);
        const signals = draw(store(message([link])), read);
        await screen.findByRole('region', {name: 'Build of tools'});

        await act(async () => {
            signals.emit({channelId: 'channel2', builderIds: [3], at: 1});
            signals.emit({channelId: 'channel1', builderIds: [4], at: 1});
        });

        expect(read).toHaveBeenCalledTimes(1);
    });

    test('after the WebSocket was down, every preview reads again', async () => {
        const read = answering([status('building')], [status('failure')]);
        const signals = draw(store(message([link])), read);
        await screen.findByRole('region', {name: 'Build of tools'});

        await act(async () => signals.emit('reconnect'));

        expect(await screen.findAllByText('Failed')).not.toHaveLength(0);
    });

    test('until it has a card for every link, the message keeps its attachments', async () => {
        const read = answering([status('building')]);

        draw(store(message([link, 'https://ci.example.com/#/builders/4'])), read);

        await act(async () => undefined);
        expect(read).toHaveBeenCalled();
        expect(screen.queryByRole('group')).not.toBeInTheDocument();
        expect(document.querySelector('style')).toBeNull();
    });

    test('an edit that changes the links reads their previews', async () => {
        const read = answering([status('building')], [status('success', 5)]);
        const posts = store(message([link]));
        draw(posts, read);
        await screen.findByRole('region', {name: 'Build of tools'});

        await act(async () => posts.put(message(['https://ci.example.com/#/builders/5'])));

        expect(read).toHaveBeenCalledTimes(2);
        expect(await screen.findAllByText('Succeeded')).not.toHaveLength(0);
    });

    test('a running build reads again now and then when no event comes', async () => {
        jest.useFakeTimers();
        try {
            const read = answering([status('building')], [status('success')]);
            draw(store(message([link])), read);
            await act(async () => undefined);

            await act(async () => {
                jest.advanceTimersByTime(BACKSTOP_MS);
            });

            expect(read).toHaveBeenCalledTimes(2);
            expect(screen.getAllByText('Succeeded')).not.toHaveLength(0);
        } finally {
            jest.useRealTimers();
        }
    });
});
