// Placeholder until the compare feature lands; the route registry (app/routes.tsx) loads this module's default export.
import { UnavailableState } from '../../components/states.tsx';
import { View } from '../../components/view.tsx';

export default function CompareView() {
  return (
    <View title="Compare" testId="view-compare">
      <UnavailableState what="The compare view" />
    </View>
  );
}
