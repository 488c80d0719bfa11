"""The open conversations beside the inbox: the tab bar, the thread, the reply box and the transfer dialog."""
