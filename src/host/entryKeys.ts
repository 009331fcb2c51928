/** The global-state key set once the Get Started walkthrough was offered (read by the entry too). */
export const WALKTHROUGH_OFFERED = 'genos.walkthroughOffered';
