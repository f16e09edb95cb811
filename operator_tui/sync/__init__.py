"""The seat's side of sync: outbox push, change-feed pull, backoff, conflicts, status (R16.1).

client = HotlineClient(httpx.Client(base_url=url, timeout=10), token)
service = SyncService(store, client, rules)
report = service.sync_once(progress)      # in a worker thread; never raises for sync trouble
status = service.status()                 # SyncStatus for the status bar
"""
