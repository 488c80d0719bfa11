// One conversation in the inbox: a single element instead of ten (item, sections, icon, tooltip, labels, badges).
// Text is interpolated, never parsed as HTML: customer names, subjects and tags are untrusted.
export default {
  template: `
    <q-item clickable>
      <q-item-section avatar>
        <q-icon :name="item.icon" :color="item.color"><q-tooltip>{{ item.tip }}</q-tooltip></q-icon>
      </q-item-section>
      <q-item-section>
        <q-item-label class="font-medium">{{ item.name }}</q-item-label>
        <q-item-label caption lines="1">{{ item.subject }}</q-item-label>
        <q-item-label v-if="item.tags && item.tags.length" lines="1">
          <q-badge v-for="tag in item.tags" :key="tag" outline color="blue-grey-6" class="mr-1">{{ tag }}</q-badge>
        </q-item-label>
      </q-item-section>
      <q-item-section side style="max-width: 45%">
        <div class="text-xs text-right">{{ item.waiting }}</div>
        <div v-if="item.sla" class="text-xs font-medium text-right" :class="'text-' + item.slaColor">{{ item.sla }}</div>
        <q-badge :color="item.badgeColor">{{ item.badge }}</q-badge>
      </q-item-section>
    </q-item>
  `,
  props: {
    item: Object, // {icon, color, tip, name, subject, tags, waiting, sla, slaColor, badge, badgeColor}
  },
};
