// Placeholder until the map feature lands; the route registry (app/routes.tsx) loads this module's default export.
import { UnavailableState } from '../../components/states.tsx';
import { View } from '../../components/view.tsx';

export default function MapView() {
  return (
    <View title="Map" testId="view-map">
      <UnavailableState what="The map view" />
    </View>
  );
}
