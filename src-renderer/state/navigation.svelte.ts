// Which screen and which inspector tab are showing. Plain state: no URL routing in a desktop tool.

export type Screen = 'start' | 'inspector' | 'write' | 'create' | 'drives' | 'queue' | 'history' | 'settings';
export type InspectorTab = 'contents' | 'boot' | 'checksums';
export const inspectorTabs = ['contents', 'boot', 'checksums'] as const satisfies readonly InspectorTab[];

export class Navigation {
  screen = $state<Screen>('start');
  tab = $state<InspectorTab>('contents');

  go(screen: Screen): void {
    this.screen = screen;
  }

  showTab(tab: InspectorTab): void {
    this.screen = 'inspector';
    this.tab = tab;
  }
}
