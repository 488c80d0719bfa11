// The queue boss's bar on an agent's dashboard or a wall display, drawn in the browser from one shared payload.
// The server words the bar once per change, per language and audience (dashboards name the damage dealers, wall
// displays use public names) and emits it to every tab showing that bar at once ("deskquest_boss": {v, audience,
// shown, name, left, health, health_text, top}); the page itself carries only the bar of the moment it was built.
import { socketFeed } from "socket_feed";

export default {
  mixins: [socketFeed("deskquest_boss", "receive")],
  template: `
    <component v-if="latest.shown" :is="kiosk ? 'div' : 'q-card'"
               :class="kiosk ? 'dq-boss' : 'nicegui-card w-full bg-deep-orange-1 gap-1 p-3'" data-testid="boss-bar">
      <div class="nicegui-row w-full items-center gap-2 no-wrap">
        <q-icon name="local_fire_department" color="deep-orange" />
        <div class="font-bold grow" data-testid="boss-name">{{ latest.name }}</div>
        <div :class="kiosk ? 'dq-num' : 'text-sm'" data-testid="boss-left">{{ latest.left }}</div>
      </div>
      <q-linear-progress :value="latest.health" rounded size="10px" color="deep-orange" />
      <div :class="kiosk ? '' : 'text-sm'" data-testid="boss-health-text">{{ latest.health_text }}</div>
      <div :class="kiosk ? 'dq-muted' : 'text-xs text-grey-8'" data-testid="boss-top">{{ latest.top }}</div>
    </component>
  `,
  props: {
    bar: Object, // the payload of the moment the page was built
    kiosk: Boolean,
  },
  data() {
    return { live: null }; // the latest payload received
  },
  computed: {
    latest() {
      return this.live && this.live.v > this.bar.v ? this.live : this.bar;
    },
  },
  methods: {
    receive(bar) {
      if (bar.audience === this.bar.audience && (!this.live || bar.v > this.live.v)) this.live = bar;
    },
  },
};
