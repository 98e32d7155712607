export default function Home() {
  return <main><h1>Cloakroom</h1></main>;
}
