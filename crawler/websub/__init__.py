"""WebSub subscriptions (#21): discover hubs, subscribe, verify intent, take pushes."""
