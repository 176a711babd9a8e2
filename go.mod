module github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot

go 1.24.11

require github.com/mattermost/mattermost/server/public v0.1.21

require (
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
)
