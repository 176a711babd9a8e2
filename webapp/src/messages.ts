import {defineMessages} from 'react-intl';

// Every string the webapp shows. English is written here once; translations.ts hands it to
// Mattermost through registerTranslations, and other locales add their own by these ids.
export const messages = defineMessages({
    pluginName: {id: 'buildbot.plugin.name', defaultMessage: 'Buildbot'},
    cardLabel: {id: 'buildbot.card.label', defaultMessage: 'Build of {repo}'},
    requestedBy: {id: 'buildbot.card.requested_by', defaultMessage: 'requested by @{username}'},
    nothingBuilt: {id: 'buildbot.card.nothing_built', defaultMessage: 'Nothing built'},
    unreachable: {id: 'buildbot.card.unreachable', defaultMessage: 'Buildbot unreachable since {time}, retrying'},
    waitingForSchedulers: {id: 'buildbot.card.waiting', defaultMessage: 'Waiting for Buildbot\'s schedulers (change {change})'},
    revisionCopy: {id: 'buildbot.card.revision.copy', defaultMessage: 'Copy revision {revision}'},
    revisionCopied: {id: 'buildbot.card.revision.copied', defaultMessage: 'Copied'},
    duration: {id: 'buildbot.row.duration', defaultMessage: 'duration'},
    progress: {id: 'buildbot.row.progress', defaultMessage: 'Step {current} of {total}'},
    currentStep: {id: 'buildbot.row.step', defaultMessage: 'step {name}'},
    failedStep: {id: 'buildbot.row.failed_step', defaultMessage: 'failed in {step}'},
    rebuild: {id: 'buildbot.button.rebuild', defaultMessage: 'Rebuild'},
    rebuilding: {id: 'buildbot.button.rebuilding', defaultMessage: 'Rebuilding…'},
    stop: {id: 'buildbot.button.stop', defaultMessage: 'Stop'},
    stopping: {id: 'buildbot.button.stopping', defaultMessage: 'Stopping…'},
    openInBuildbot: {id: 'buildbot.button.open', defaultMessage: 'Open in Buildbot'},
    queued: {id: 'buildbot.state.queued', defaultMessage: 'Queued'},
    building: {id: 'buildbot.state.building', defaultMessage: 'Building'},
    success: {id: 'buildbot.state.success', defaultMessage: 'Succeeded'},
    warnings: {id: 'buildbot.state.warnings', defaultMessage: 'Warnings'},
    failure: {id: 'buildbot.state.failure', defaultMessage: 'Failed'},
    skipped: {id: 'buildbot.state.skipped', defaultMessage: 'Skipped'},
    exception: {id: 'buildbot.state.exception', defaultMessage: 'Exception'},
    retry: {id: 'buildbot.state.retry', defaultMessage: 'Retrying'},
    cancelled: {id: 'buildbot.state.cancelled', defaultMessage: 'Cancelled'},
    superseded: {id: 'buildbot.state.superseded', defaultMessage: 'Superseded by a newer request'},
});
