"""The Slack app manifest an admin pastes to create the app in one step."""

from __future__ import annotations

MANIFEST = """\
display_information:
  name: Photo Finish
  description: "Trivia from photo finishes in motor racing, athletics, swimming, skiing and more."
  background_color: "#1a365d"
features:
  app_home:
    home_tab_enabled: true
    messages_tab_enabled: false
    messages_tab_read_only_enabled: true
  bot_user:
    display_name: Photo Finish
    always_online: true
  slash_commands:
    - command: /trivia
      description: "Play trivia: /trivia, /trivia start 5, /trivia answer B, /trivia help"
      usage_hint: "[start N | answer TEXT | leaderboard week | stats @user | daily | help]"
      should_escape: true
oauth_config:
  scopes:
    bot:
      - commands
      - chat:write
      - chat:write.public
      - files:write
      - channels:history
      - groups:history
      - users:read
settings:
  event_subscriptions:
    bot_events:
      - app_home_opened
  interactivity:
    is_enabled: true
  org_deploy_enabled: false
  socket_mode_enabled: true
  token_rotation_enabled: false
"""


def slack_manifest() -> str:
    """The manifest as YAML (Socket Mode; for HTTP mode set the request URLs it names)."""
    return MANIFEST
