// What every live component shares: listening on the page's socket for one server message while it is mounted.
// Components mount before the app opens its socket, so listening waits for it; an unmounted component stops.
// Used as a Vue mixin: `mixins: [socketFeed("deskquest_board", "receive")]` calls this.receive(payload) per message.
export function socketFeed(message, handler) {
  return {
    mounted() {
      this.listenOnSocket();
    },
    unmounted() {
      clearTimeout(this.socketTimer);
      window.socket?.off(message, this[handler]);
    },
    methods: {
      listenOnSocket() {
        if (window.socket) window.socket.on(message, this[handler]);
        else this.socketTimer = setTimeout(this.listenOnSocket, 10);
      },
    },
  };
}
