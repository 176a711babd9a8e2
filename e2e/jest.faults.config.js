// The fault tests (make test-faults): two Mattermost servers, Toxiproxy, PostgreSQL restarts and
// load, on the real stack; slower than the e2e suite, so kept apart from it.
const base = require('./jest.config.js');

module.exports = {...base, roots: ['<rootDir>/faults'], testTimeout: 600000};
