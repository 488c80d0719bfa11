// One conversation in the inbox: a single element instead of ten (item, sections, icon, tooltip, labels, badge).
// Text is interpolated, never parsed as HTML: customer names and subjects are untrusted.
export default {
  template: `
    <q-item clickable>
      <q-item-section avatar>
        <q-icon :name="item.icon" :color="item.color"><q-tooltip>{{ item.tip }}</q-tooltip></q-icon>
      </q-item-section>
      <q-item-section>
        <q-item-label class="font-medium">{{ item.name }}</q-item-label>
        <q-item-label caption lines="1">{{ item.subject }}</q-item-label>
      </q-item-section>
      <q-item-section side>
        <div class="text-xs">{{ item.waiting }}</div>
        <q-badge :color="item.badgeColor">{{ item.badge }}</q-badge>
      </q-item-section>
    </q-item>
  `,
  props: {
    item: Object, // {icon, color, tip, name, subject, waiting, badge, badgeColor}
  },
};
